import { getPriority } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --nice n: every worker process starts at niceness n, as GNU parallel's --nice (its
// setpriority(0,0,n) in each job: absolute, not added to its own). Each worker reports its own
// niceness, field 19 of /proc/$$/stat, $$ being the worker's shell itself.

/** A worker that reads its block and prints its niceness once. */
const REPORT = 'cat >/dev/null; cut -d" " -f19 /proc/$$/stat';

/** The nicenesses the workers printed, one a line. */
const nicenesses = (stdout: Buffer) => stdout.toString().split('\n').filter(Boolean);

/** Root here: a niceness below manifold's own is then allowed. */
const root = process.getuid?.() === 0;

/** manifold fan's argv run unprivileged: as nobody when this is root (setpriv), else as is. */
const unprivileged = (args: string[]) =>
  root
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', manifold, 'fan', ...args]]
    : [manifold, ['fan', ...args]];

describe.concurrent('manifold fan --nice', () => {
  const own = getPriority();
  // 9 is above what a test runner is niced to, and not manifold's own.
  it.each([
    ['persistent workers (the Python starter)', [], {}],
    ['per-block workers', ['--per-block', '-N', '10'], {}],
    ['--cat', ['--cat', '-N', '10'], {}],
    ['persistent workers, the Perl starter', [], { MANIFOLD_STARTER: 'perl' }],
    [
      "per-block workers, Node's own spawn",
      ['--per-block', '-N', '10'],
      { MANIFOLD_STARTER: 'spawn' },
    ],
  ])('%s: each worker process runs at niceness 9', async (_name, args, env) => {
    expect(own).toBeLessThan(9);
    const command = args.includes('--cat') ? 'cut -d" " -f19 /proc/$$/stat # {}' : REPORT;
    const result = await fan(
      ['-j', '3', '--nice', '9', ...args, '--shell', '--', command],
      records(1, 60),
      { env },
    );
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const seen = nicenesses(result.stdout);
    expect(seen.length).toBeGreaterThanOrEqual(args.length === 0 ? 1 : 6);
    expect(seen.filter((n) => n !== '9')).toEqual([]);
  });

  it("is the niceness itself, not added to manifold's own (as parallel's setpriority)", async () => {
    // manifold at niceness own+2; its workers at own+5, not own+7.
    const result = await run(
      'nice',
      ['-n', '2', manifold, 'fan', '-j', '2', '--nice', String(own + 5), '--shell', '--', REPORT],
      records(1, 20),
    );
    expect([result.exitCode, result.stderr.toString()]).toEqual([0, '']);
    expect(new Set(nicenesses(result.stdout))).toEqual(new Set([String(own + 5)]));
  });

  it("below manifold's own niceness without privilege: refused in one line, exit 2, no worker run", async () => {
    const [file, args] = unprivileged(['--nice', '-1', '--shell', '--', 'echo ran']);
    const result = await run(file as string, args as string[], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stdout.toString()).toBe('');
    expect(result.stderr.toString()).toBe(
      `manifold: --nice -1 is below manifold's own niceness (${own}), which needs privilege (root, or CAP_SYS_NICE) that this process has not: nice said 'nice: cannot set niceness: Permission denied' (see 'manifold fan --help')\n`,
    );
  });

  it.runIf(root)(
    "below manifold's own niceness with privilege (root): the workers run there",
    async () => {
      const result = await fan(
        ['-j', '2', '--nice', '-3', '--shell', '--', REPORT],
        records(1, 20),
      );
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
      expect(new Set(nicenesses(result.stdout))).toEqual(new Set(['-3']));
    },
  );

  it.each([
    [
      ['--nice', '20', '--', 'cat'],
      '--nice must be a niceness, a whole number from -20 (first) to 19 (last) (got 20)',
    ],
    [
      ['--nice', '-21', '--', 'cat'],
      '--nice must be a niceness, a whole number from -20 (first) to 19 (last) (got -21)',
    ],
    [
      ['--nice', '1.5', '--', 'cat'],
      '--nice must be a niceness, a whole number from -20 (first) to 19 (last) (got 1.5)',
    ],
    [
      // A sign only for a negative niceness, as every other number of manifold's (it was taken).
      ['--nice', '+5', '--', 'cat'],
      '--nice must be a niceness, a whole number from -20 (first) to 19 (last) (got +5)',
    ],
    [
      ['--nice', 'x', '--', 'cat'],
      '--nice must be a niceness, a whole number from -20 (first) to 19 (last) (got x)',
    ],
    [
      ['--nice', '5', '--threads', '--', 'mf-map', 'r'],
      "--nice sets the niceness of worker processes: it cannot go with --threads, which run in manifold's own process (run manifold under nice instead)",
    ],
    [
      ['--nice', '5', '--queue', 'nats://127.0.0.1:1'],
      "--nice is not for --queue: its workers' processes run on their machines, at the niceness of manifold worker there",
    ],
  ])('refuses %j in one line, exit 2', async (args, line) => {
    const result = await fan(args, 'a\n');
    expect([result.exitCode, result.stdout.toString(), result.stderr]).toEqual([
      2,
      '',
      `manifold: ${line} (see 'manifold fan --help')\n`,
    ]);
  });

  it('a config says nice: 9, and the library nice: 9', async () => {
    const dir = tempDir('manifold-fan-nice-config-');
    const config = writeConfig(dir, {
      input: fileWith('nice-', records(1, 4)),
      stages: [{ name: 'low', fan: { nice: 9, records: 1, workers: 2, worker: REPORT } }],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect([fromConfig.exitCode, fromConfig.stderr.toString()]).toEqual([0, '']);
    expect(nicenesses(fromConfig.stdout)).toEqual(['9', '9']);

    let out = '';
    await fanApi(
      { command: REPORT, nice: 9, workers: 2 },
      {
        input: Readable.from([records(1, 4)]),
        output: new Writable({
          write(chunk: Buffer, _encoding, done) {
            out += chunk.toString();
            done();
          },
        }),
      },
    );
    expect(new Set(out.split('\n').filter(Boolean))).toEqual(new Set(['9']));
  });
});
