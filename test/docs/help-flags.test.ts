import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, root, run } from '../helpers.js';

// Every flag a --help shows is documented on its command's page of the manual and run by a
// test: each command's --help is read once, its long flags collected, and each looked for in
// the page (for a filter, the part of docs/binaries.md its man page is made of) and in the test
// files that run that command. A test "runs the command with the flag" when one file both
// names the flag (`--flag`, not `--flag-more`) and runs the command (the marker below): a
// heuristic, so a flag's own test should fail when the flag does nothing, which this cannot see.
// --help and --version are every command's, and test/orchestrator/cli-manners.test.ts's.

const FILTERS = ['mf-map', 'mf-filter', 'mf-reduce', 'mf-join', 'mf-frame', 'mf-unframe'];

interface Command {
  /** The command as a user types it. */
  name: string;
  /** The program and its arguments before --help. */
  argv: [string, ...string[]];
  /** The manual the flag must be in. */
  doc: () => string;
  /** Marks a test file that runs the command. */
  runs: RegExp;
}

const pages = new Map<string, string>();
/** A file of the repository, read once however many commands share it. */
function read(path: string): string {
  if (!pages.has(path)) pages.set(path, readFileSync(join(root, path), 'utf8'));
  return pages.get(path)!;
}
const page =
  (...paths: string[]) =>
  () =>
    paths.map(read).join('\n');

/** A filter's part of docs/binaries.md: the introduction and its own section (build-man.mjs). */
function filterDoc(name: string): () => string {
  return () => {
    const [intro, ...sections] = read('docs/binaries.md').split(/^(?=## )/m);
    return [intro, ...sections.filter((s) => s.split('\n')[0]!.includes(name))].join('');
  };
}

const quoted = (word: string) => `['"]${word}['"]`;

const COMMANDS: Command[] = [
  { name: 'manifold', argv: [manifold], doc: page('README.md'), runs: /manifold/ },
  {
    name: 'manifold fan',
    argv: [manifold, 'fan'],
    doc: page('docs/fan.md'),
    runs: /['"]fan['"]|\bfan\(\s*\[|manifold fan\b|\bcoordinate\w*\(/,
  },
  ...['run', 'check', 'graph'].map((command) => ({
    name: `manifold ${command}`,
    argv: [manifold, command] as [string, string],
    doc: page('docs/config.md'),
    runs: new RegExp(
      `${quoted(command)}\\s*,|manifold ${command}\\b${command === 'run' ? '|\\brunConfig\\(' : ''}`,
    ),
  })),
  {
    name: 'manifold worker',
    argv: [manifold, 'worker'],
    doc: page('docs/hosts.md', 'docs/queue.md'),
    runs: /['"]worker['"]|manifold worker\b|\bstartWorker\(/,
  },
  ...['status', 'rm'].map((command) => ({
    name: `manifold queue ${command}`,
    argv: [manifold, 'queue', command] as [string, string, string],
    doc: page('docs/queue.md'),
    runs: new RegExp(`${quoted(command)}|queue ${command}\\b`),
  })),
  ...[
    ['build', /\bbuilt?Table\(|['"]build['"]|table build\b/],
    ['get', /\bgetKeys\(|['"]get['"]|table get\b/],
    ['stat', /['"]stat['"]|table stat\b/],
    ['serve', /\bstartServe\(|['"]serve['"]|table serve\b/],
  ].map(([command, runs]) => ({
    name: `manifold table ${command}`,
    argv: [manifold, 'table', command as string] as [string, string, string],
    doc: page('docs/tables.md'),
    runs: runs as RegExp,
  })),
  {
    name: 'manifold completion',
    argv: [manifold, 'completion'],
    doc: page('docs/install.md'),
    runs: /['"]completion['"]/,
  },
  ...FILTERS.map((name) => ({
    name,
    argv: [bin(name)] as [string],
    doc: filterDoc(name),
    runs: new RegExp(`${name}\\b`),
  })),
];

/** The long flags of a help's Options section, each with its short form if it has one. */
function flagsOf(help: string): { flag: string; short?: string }[] {
  const options = help.split(/\nOptions:\n/)[1]?.split(/\n\n/)[0] ?? '';
  return [...options.matchAll(/^ {2}(?:(-\w), )?(--[a-z0-9-]+)/gm)]
    .map((m) => ({ flag: m[2]!, short: m[1] }))
    .filter(({ flag }) => flag !== '--help' && flag !== '--version');
}

/** The subcommands a help lists under "Commands:", the implicit `help` left out. */
function commandsOf(help: string): string[] {
  const section = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

function testFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return /\.(ts|mjs|js|sh)$/.test(entry.name) ? [path] : [];
  });
}

/** `--flag` in the text, not as the start of a longer one (`--key` in `--keys-from`). */
const flagIn = (flag: string, text: string) => new RegExp(`${flag}(?![A-Za-z0-9-])`).test(text);

const helps = new Map(
  await Promise.all(
    COMMANDS.map(async (command) => {
      const [file, ...args] = command.argv;
      const result = await run(file, [...args, '--help']);
      return [command.name, result.stdout.toString()] as const;
    }),
  ),
);
const tests = testFiles(join(root, 'test'))
  .filter((path) => !path.endsWith('help-flags.test.ts'))
  .map((path) => readFileSync(path, 'utf8'));

describe('every flag in --help', () => {
  it('covers every command the helps and package.json list', async () => {
    const [table, queue] = await Promise.all(
      ['table', 'queue'].map(async (group) =>
        commandsOf((await run(manifold, [group, '--help'])).stdout.toString()).map(
          (name) => `manifold ${group} ${name}`,
        ),
      ),
    );
    const groups = ['manifold table', 'manifold queue'];
    const listed = [
      ...commandsOf(helps.get('manifold')!)
        .map((name) => `manifold ${name}`)
        .filter((name) => !groups.includes(name)),
      ...table!,
      ...queue!,
      ...Object.keys(JSON.parse(read('package.json')).bin as Record<string, string>),
    ];
    const audited = COMMANDS.map((command) => command.name);
    expect(listed.filter((name) => !audited.includes(name))).toEqual([]);
  });

  it('shows no empty default (commander prints an empty list as `(default: [])`)', () => {
    const shown = COMMANDS.filter((command) => helps.get(command.name)!.includes('(default: [])'));
    expect(shown.map((command) => command.name)).toEqual([]);
  });

  it('is documented on its command’s page and run by a test', () => {
    // The helps are read as expected: a change of their layout must not empty the audit.
    expect(flagsOf(helps.get('manifold fan')!).length).toBeGreaterThan(40);
    expect(flagsOf(helps.get('mf-join')!).map(({ flag }) => flag)).toContain('--as');
    const missing: string[] = [];
    for (const command of COMMANDS) {
      const help = helps.get(command.name)!;
      expect(help, command.name).toMatch(/^Usage: /);
      const doc = command.doc();
      const runners = tests.filter((text) => command.runs.test(text));
      for (const { flag, short } of flagsOf(help)) {
        if (!flagIn(flag, doc)) missing.push(`${command.name} ${flag}: not in its doc page`);
        // A test may give the short form (-0, -j, -o).
        const given = (text: string) =>
          flagIn(flag, text) || (short !== undefined && text.includes(`'${short}'`));
        if (!runners.some(given)) {
          missing.push(`${command.name} ${flag}: no test runs it`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
