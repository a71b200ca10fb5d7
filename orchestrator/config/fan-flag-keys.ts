// manifold fan's flags that a config's fan map says its own way (docs/config.md, "Fans"). A key
// spelt as one of them (`one-to-one: true`, `perBlock: true`, `null: true`) is told the
// config's way, where a list of the keys alone left a newcomer to guess it.

const HOSTS = (key: string) => `hosts' ${key}: hosts: {list: [...], ${key}: ...}`;

const SAID: Record<string, string> = {
  'per-block': 'attribution: per-block',
  'one-to-one': 'attribution: one-to-one',
  protocol: 'attribution: protocol',
  threads: "threads: true in the worker's map (worker: {filter: ./f.mjs, threads: true})",
  shell: 'a string worker, which runs with /bin/sh -c',
  null: 'split: nul',
  'lines-per-record': 'split: lines:<n>',
  recstart: 'split: start:<string>, or between:<end>|<start> with --recend',
  recend: 'split: between:<end>|<start>',
  rrs: 'remove-rec-sep: true',
  tagstring: 'tag-string',
  table: "the top level's tables: {NAME: PATH}",
  host: 'hosts: [h1, h2/8], or a map with list',
  'hosts-file': HOSTS('file'),
  ssh: HOSTS('ssh'),
  'remote-manifold': HOSTS('remote-manifold'),
  'host-timeout': HOSTS('host-timeout'),
  transfer: HOSTS('transfer'),
  cleanup: HOSTS('cleanup'),
  input: "the top level's input",
  output: "the top level's output",
  stats: "manifold run's own --stats",
  progress: "manifold run's own --progress",
  verbose: "manifold run's own --verbose",
};

const bare = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
const BY_BARE = new Map(Object.entries(SAID).map(([flag, said]) => [bare(flag), { flag, said }]));

/** How a fan map says what `key`, a manifold fan flag's name in any case, asks for; or null. */
export function fanFlagHint(key: string): string | null {
  const found = BY_BARE.get(bare(key.replace(/^-+/, '')));
  return found === undefined
    ? null
    : `that is manifold fan's --${found.flag}; a config says ${found.said}`;
}
