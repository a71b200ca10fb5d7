import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { fixture, manifold, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { leftovers, pidDir, pidsIn, tracked } from '../support/proc.js';
import { spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// --termseq, as GNU parallel's: how manifold ends a worker it gives up on (past --timeout) or
// stops (a signal to manifold, --halt now): each signal in turn, the milliseconds after it
// given to the worker to end, then SIGKILL. The workers here say each signal they get and go
// on, so that only the sequence's end (SIGKILL) ends them: what they said is what they got.

/**
 * A shell worker that says each of INT, TERM and USR1 it gets (`got INT`, then its worker's
 * number) and never ends by itself.
 */
const traps = (pids: string) =>
  `echo $$ > ${pids}/$$; for s in INT TERM USR1; do trap "echo got $s $MANIFOLD_WORKER >&2" $s; done; echo started >&2; while :; do sleep 1; done`;

/** What the workers said they got, in order; of worker `slot` only, when given. */
const got = (stderr: string, slot?: number) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('got ') && (slot === undefined || line.endsWith(` ${slot}`)))
    .map((line) => line.split(' ').slice(0, 2).join(' '));

describe('manifold fan --termseq', () => {
  it('ends a worker past --timeout with each signal in turn, then SIGKILL', async () => {
    const pids = pidDir();
    // 3 s for the shell to set its traps: under CI's load one in the thread's case below got the
    // INT first, and died of it.
    const args = ['-j', '1', '--per-block', '--timeout', '3s', '--termseq', 'INT,300,USR1,2000'];
    const result = await fan([...args, '--shell', '--', traps(pids)], records(1, 3));
    expect(result.exitCode).toBe(1);
    expect(got(result.stderr)).toEqual(['got INT', 'got USR1']);
    expect(result.stderr).toMatch(/timed out after 3s on block 1 \(records 1-3\)\n$/);
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
  }, 20_000);

  it('ends every worker so when the run is stopped by a signal to manifold', async () => {
    const pids = pidDir();
    const args = [
      'fan',
      '-j',
      '2',
      '-N',
      '5',
      '--termseq',
      // 2 s for USR1's trap before the SIGKILL: under CI's load a shell waited past 300 ms.
      'INT,1000,USR1,2000,KILL,25',
      '--shell',
      '--',
    ];
    const child = spawnManifold([...args, traps(pids)]);
    const stderr = watch(child.stderr!);
    child.stdin!.write(records(1, 10));
    await stderr.waitFor(/^started$/, 2);
    child.kill('SIGTERM');
    const exit = await within(waitForExit(child), 10_000, 'manifold still ran 10 s after SIGTERM');
    expect(exit.exitCode).toBe(143);
    // Each of the two workers got INT, then USR1; neither got manifold's own SIGTERM. (A shell
    // that had not run the first trap when the second signal came, under CI's load, runs them
    // by signal number: INT first, as sent, so that this order holds either way.)
    expect([got(stderr.text, 1), got(stderr.text, 2)]).toEqual([
      ['got INT', 'got USR1'],
      ['got INT', 'got USR1'],
    ]);
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
  }, 20_000);

  // The worker's shell died of the stop's SIGTERM and a child in its group that takes SIGTERM ran
  // on: the steps after the first went to workers still running only, and manifold exited
  // before them, the child left running for good (QA), in fan and in run.
  it.each([
    ['fan', (script: string) => ['fan', '--shell', '--', script]],
    [
      'run',
      (script: string) => [
        'run',
        writeConfig(tempDir('manifold-termseq-run-'), {
          stages: [{ run: script }, { run: 'cat' }],
        }),
      ],
    ],
  ])(
    '%s: what a worker leaves in its group, taking SIGTERM, gets the SIGKILL',
    async (_, argsOf) => {
      const pids = pidDir();
      const child = `sh -c 'echo $$ > ${pids}/$$; trap "" TERM; echo started >&2; exec sleep 600 >/dev/null'`;
      const child2 = spawnManifold(argsOf(`${child}; true`));
      const stderr = watch(child2.stderr!);
      child2.stdin!.write('a\n');
      await stderr.waitFor(/^started$/, 1);
      child2.kill('SIGTERM');
      const exit = await within(
        waitForExit(child2),
        10_000,
        'manifold still ran 10 s after SIGTERM',
      );
      expect(exit.exitCode).toBe(143);
      // Killed, then reaped by whoever adopts it (an orphan, its shell gone).
      expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
    },
    20_000,
  );

  it("reaches the processes a thread worker started: the thread's filter waits for its child", async () => {
    // 3 s for the shell to set its traps: under CI's load one got the INT first, and died of it.
    const args = ['fan', '-j', '1', '--block', '6', '--threads', '--timeout', '3s'];
    const child = spawnManifold([
      ...[...args, '--termseq', 'INT,300', '--halt', 'never', '--'],
      fixture('thread-await-child.js'),
    ]);
    const stderr = watch(child.stderr!);
    const stdout = watch(child.stdout!);
    // A first block starts the thread: its start, slow on a loaded machine, is not in the second
    // block's time, in which the shell must set its traps before the timeout's INT.
    child.stdin!.write('first\n');
    await stdout.waitFor(/^first$/, 1);
    child.stdin!.write('traps\n');
    await stderr.waitFor(/timed out after 3s on block 2\b/, 1);
    // The run goes on, on a fresh thread: the child was ended (SIGKILL after its INT).
    child.stdin!.end('next\n');
    await stdout.waitFor(/^next$/, 1);
    const exit = await within(waitForExit(child), 10_000, 'manifold did not end');
    expect(exit.exitCode).toBe(1);
    expect(got(stderr.text)).toEqual(['got INT']);
  }, 20_000);

  it.each([
    ['FOO,100', 'FOO is not a signal'],
    ['INT,1s', '1s is not a number of milliseconds'],
    ['INT,-5', '-5 is not a number of milliseconds'],
    ['0,100', '0 is not a signal'],
    ['', "'': none is given"],
  ])('refuses %j in one line, exit 2', async (value, why) => {
    const result = await fan(['--termseq', value, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^manifold: --termseq must be signals and the milliseconds each gives a worker to end, in turn, as parallel's TERM,200,TERM,100,TERM,50,KILL,25 \(got .*\) \(see 'manifold fan --help'\)\n$/,
    );
    expect(result.stderr).toContain(why);
  });

  it('takes signals by name, with or without SIG, and by number', async () => {
    for (const value of ['term,100,KILL', 'SIGINT,0,9,0', '15,200,USR2']) {
      const result = await fan(['--termseq', value, '--', 'cat'], 'a\nb\n');
      expect([value, result.exitCode, result.stderr]).toEqual([value, 0, '']);
    }
  });

  it('a config says termseq, checked at its line:column; the library takes termseq', async () => {
    const dir = tempDir('manifold-fan-termseq-config-');
    const pids = pidDir();
    const config = writeConfig(dir, {
      stages: [
        {
          name: 'slow',
          fan: { workers: 1, timeout: '1s', termseq: 'INT,300', worker: traps(pids) },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config], 'a\n');
    expect(fromConfig.exitCode).toBe(1);
    expect(got(fromConfig.stderr)).toEqual(['got INT']);
    const bad = writeConfig(
      dir,
      { stages: [{ name: 's', fan: { termseq: 'INT,soon', worker: 'cat' } }] },
      'bad.yaml',
    );
    const refused = await run(manifold, ['run', bad], 'a\n');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /^.*bad\.yaml:\d+:\d+: termseq must be signals .* \(got INT,soon: soon is not a number of milliseconds\)\n$/,
    );
    const output = new Writable({ write: (_c, _e, done) => done() });
    await expect(
      fanApi({ command: ['cat'], termseq: 'INT,x' }, { input: Readable.from(['a\n']), output }),
    ).rejects.toThrow('termseq must be signals');
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
  }, 20_000);
});

// A second signal to manifold while it stops cuts the stop short: SIGKILL at once, as parallel
// kills its jobs on a second SIGTERM (it waited the whole sequence: here a minute).
describe('a second signal during a stop', () => {
  it.each([
    [
      'fan',
      (script: string) => [
        'fan',
        '-j',
        '2',
        '-N',
        '1',
        '--termseq',
        'TERM,60000',
        '--shell',
        '--',
        script,
      ],
    ],
    [
      'run',
      (script: string) => [
        'run',
        writeConfig(tempDir('manifold-termseq-second-'), {
          stages: [
            { fan: { workers: 2, block: 2, termseq: 'TERM,60000', worker: script } },
            { run: 'cat' },
          ],
        }),
      ],
    ],
  ])(
    '%s: SIGKILL at once to workers that take SIGTERM',
    async (_, argsOf) => {
      const pids = pidDir();
      const child = spawnManifold(argsOf(traps(pids)));
      const stderr = watch(child.stderr!);
      child.stdin!.write(records(1, 2));
      await stderr.waitFor(/^started$/, 2);
      child.kill('SIGTERM');
      await stderr.waitFor(/^got TERM /, 2);
      child.kill('SIGINT');
      const exit = await within(waitForExit(child), 10_000, 'manifold still ran 10 s after SIGINT');
      expect(exit.exitCode).toBe(143);
      expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
    },
    20_000,
  );
});

// A fan stage stopped as the feeder of a stage that failed, then stopped again with the whole
// run by a signal: the second stop is no second signal, and its workers' sequence goes on.
it('run: a fan stage stopped twice by the run ends its workers as its termseq says', async () => {
  const pids = pidDir();
  const config = writeConfig(tempDir('manifold-termseq-twice-'), {
    stages: [
      {
        fan: {
          workers: 1,
          termseq: 'INT,1000,USR1,2000',
          worker: traps(pids).replace('echo started >&2;', 'echo out;'),
        },
      },
      { run: 'head -c 1 > /dev/null; exit 3' },
    ],
  });
  const child = spawnManifold(['run', config]);
  const stderr = watch(child.stderr!);
  // The worker writes once its traps are set: the stage after it then reads a byte and fails.
  child.stdin!.end(records(1, 2));
  await stderr.waitFor(/^got INT /, 1);
  child.kill('SIGTERM');
  const exit = await within(waitForExit(child), 10_000, 'manifold still ran 10 s after SIGTERM');
  expect(exit.exitCode).toBe(143);
  expect(got(stderr.text)).toEqual(['got INT', 'got USR1']);
  expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
}, 20_000);
