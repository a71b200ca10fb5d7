import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi, type ManifoldError } from '../../orchestrator/index.js';
import { fixture, manifold, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { tempDir, writeConfig } from '../support/temp.js';

// The options that cannot go with hosts are refused from one table (options/not-on-hosts.ts),
// by the command line, a config and the library alike: each names the option as its user
// spells it (`--cat` / `cat`), a config at the option's key, all exit 2, nothing run. No host
// is reached: the refusal comes first.

const TMPDIR_WHY =
  "it is a folder of this machine, given to the workers as TMPDIR, and a host's workers keep their own, as parallel's remote jobs do (for this machine's spills, set TMPDIR for manifold itself)";

const cases: {
  name: string;
  flags: string[];
  stage: Record<string, unknown>;
  options: Record<string, unknown>;
  why: string;
  /** What the config's line the problem is said at starts with: the option's key, or its value's. */
  line: string;
}[] = [
  {
    name: 'threads',
    flags: ['--threads', '--', fixture('identity.js')],
    stage: { worker: { filter: fixture('identity.js'), threads: true } },
    options: { threads: true, command: [fixture('identity.js')] },
    why: 'threads run in this process',
    // At `worker`, whose value (a mapping) starts on the line after it.
    line: 'filter:',
  },
  {
    name: 'cat',
    flags: ['--cat', '--', 'cat', '{}'],
    stage: { cat: true, worker: 'cat' },
    options: { cat: true, command: ['cat'] },
    why: "a block's file is on this machine, not on the hosts",
    line: 'cat:',
  },
  {
    name: 'fifo',
    flags: ['--fifo', '--', 'cat', '{}'],
    stage: { fifo: true, worker: 'cat' },
    options: { fifo: true, command: ['cat'] },
    why: "a block's file is on this machine, not on the hosts",
    line: 'fifo:',
  },
  {
    name: 'tmpdir',
    flags: ['--tmpdir', '/tmp', '--', 'cat'],
    stage: { tmpdir: '/tmp', worker: 'cat' },
    options: { tmpdir: '/tmp', command: ['cat'] },
    why: TMPDIR_WHY,
    line: 'tmpdir:',
  },
];

describe.concurrent('options that cannot go with hosts: one table, three faces', () => {
  it.each(cases)('$name: the command line names it as its flag, and --host', async (c) => {
    const result = await fan(['--host', 'h1', ...c.flags], 'a\n');
    expect([result.exitCode, result.stdout.toString(), result.stderr]).toEqual([
      2,
      '',
      `manifold: --${c.name} cannot go with --host: ${c.why} (see 'manifold fan --help')\n`,
    ]);
  });

  it.each(cases)('$name: a config names its key, and hosts, at that key', async (c) => {
    const dir = tempDir('manifold-hosts-refused-');
    const config = writeConfig(dir, { hosts: ['h1'], stages: [{ name: 's', fan: c.stage }] });
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    const lines = result.stderr.toString().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${config}:\\d+:\\d+: `));
    expect(lines[0]!.endsWith(`: ${c.name} cannot go with hosts: ${c.why}`)).toBe(true);
    // At the option's key: the problem's line is the one that says it.
    const [, row] = /:(\d+):\d+: /.exec(lines[0]!)!;
    const said = readFileSync(config, 'utf8').split('\n')[Number(row) - 1]!;
    expect(said.trim().startsWith(c.line)).toBe(true);
  });

  it.each(cases)('$name: the library names its option, and hosts: a usage error', async (c) => {
    const error = (await fanApi(
      { hosts: ['h1'], ...c.options },
      {
        input: Readable.from(['a\n']),
        output: new Writable({ write: (_chunk, _encoding, done) => done() }),
      },
    ).catch((e: unknown) => e)) as ManifoldError;
    expect([error.code, error.exitCode, error.message]).toEqual([
      'manifold.usage',
      2,
      `${c.name} cannot go with hosts: ${c.why}`,
    ]);
  });
});
