import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { escapeRegExp, numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';
import { finish, spawnShell } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A queue worker whose process for a block cannot be started (the process starter broken, the
// command gone or made not executable since the worker checked it): the block's try fails with
// its reason, as a local fan's does, and --retries counts it. Given back untried, the block
// would go round again and again, till the coordinator failed it as `given 3 times to workers
// lost with it (killed, or cut off from the queue past the ack wait)`, exit 1.

const host = escapeRegExp(hostname());

/** A folder whose `perl` fails at once, as a starter that cannot run: said on stderr, status 3. */
function brokenPerl(): string {
  const dir = tempDir();
  const perl = join(dir, 'perl');
  writeFileSync(perl, '#!/bin/sh\necho "perl: broken" >&2\nexit 3\n');
  chmodSync(perl, 0o755);
  return dir;
}

/**
 * A worker whose command has a word that is not UTF-8, which only the process starter can start
 * (Node's spawn cannot), the starter being a broken perl: each process fails to start. Alone,
 * it retries at once (--start-backoff 0): its tries are counted here, not its pace.
 */
function unstartable(url: string, job: string) {
  const line = `E9=$(printf '\\351'); PATH=${brokenPerl()}:$PATH exec ${manifold} worker --queue ${url} --job ${job} -j 1 --start-backoff 0 -- printf '%s' "x$E9"`;
  return finish(spawnShell(line, { MANIFOLD_STARTER: 'perl' }), 60_000);
}

describe('a queue worker whose process cannot start', () => {
  it.each([
    [0, 1],
    [2, 3],
  ])(
    'fails the block with why, as a local fan says it (--retries %i: try %i), and the worker leaves with its job',
    async (retries, tries) => {
      const server = await startNats();
      const job = `start${retries}`;
      const worker = unstartable(server.url, job);
      const args = ['--job', job, '--retries', String(retries)];
      const result = await coordinate(server.url, args, numbered(1, 3));
      expect(result.stderr).toMatch(
        new RegExp(
          `^manifold: job "${job}": queue worker on ${host}: worker 1 cannot start: the process starter \\(perl, pid \\d+\\) exited with status 3 \\(try ${tries} of ${tries}\\) on block 1 \\(records 1-3\\)\\n$`,
        ),
      );
      expect(result.exitCode).toBe(1);
      const end = await worker;
      expect(end.exitCode).toBe(0);
      // One start a try: the starter ran once for each, not again and again.
      expect(end.stderr.split('perl: broken\n').length - 1).toBe(tries);
    },
  );

  it('under --halt never: every block fails in its own line, and the run goes on to its end', async () => {
    const server = await startNats();
    const worker = unstartable(server.url, 'never');
    const args = ['--job', 'never', '--halt', 'never', '--block', '1K'];
    const result = await coordinate(server.url, args, numbered(1, 600));
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines.map((line) => /on (block \d+) \(/.exec(line)?.[1]).sort()).toEqual([
      'block 1',
      'block 2',
      'block 3',
    ]);
    for (const line of lines) expect(line).toMatch(/: worker 1 cannot start: the process starter/);
    expect(result.exitCode).toBe(1);
    expect((await worker).exitCode).toBe(0);
  });

  it('a command not found when its block comes (its interpreter missing): the block fails, exit 127 as locally', async () => {
    const server = await startNats();
    const script = join(tempDir(), 'uses-missing');
    writeFileSync(script, '#!/no/such/interpreter\n');
    chmodSync(script, 0o755);
    const worker = startWorker(server.url, ['--job', 'gone'], [script]);
    const result = await coordinate(server.url, ['--job', 'gone'], numbered(1, 3));
    expect(result.stderr).toBe(
      `manifold: job "gone": queue worker on ${hostname()}: worker 1 (${script}) exited with status 127 (command not found) (try 1 of 1) on block 1 (records 1-3)\n`,
    );
    expect(result.exitCode).toBe(127);
    expect((await worker.done()).exitCode).toBe(0);
  });

  it('a command made not executable after the worker started: the block fails, exit 127 as locally', async () => {
    const server = await startNats();
    const script = join(tempDir(), 'was-runnable');
    writeFileSync(script, '#!/bin/sh\ncat\n');
    chmodSync(script, 0o755);
    const worker = startWorker(server.url, ['--job', 'noexec', '--verbose'], [script]);
    // Checked and found runnable as the worker started; taken away before its first block.
    await worker.stderr.waitFor(/^manifold: waiting for job "noexec" on /, 1);
    chmodSync(script, 0o644);
    const result = await coordinate(server.url, ['--job', 'noexec'], numbered(1, 3));
    expect(result.stderr).toBe(
      `manifold: job "noexec": queue worker on ${hostname()}: worker 1 (${script}) exited with status 126 (not executable) (try 1 of 1) on block 1 (records 1-3)\n`,
    );
    expect(result.exitCode).toBe(127);
    expect((await worker.done()).exitCode).toBe(0);
  });

  it('a machine that cannot start it backs off (--start-backoff): a healthy one takes the block, its tries counted, and the block pulled ahead untried', async () => {
    const server = await startNats();
    const script = join(tempDir(), 'was-runnable');
    writeFileSync(script, '#!/bin/sh\ncat\n');
    chmodSync(script, 0o755);
    // Backing off for longer than the test, it cannot take the block again: only a machine
    // started after its failed try can answer it. Taking the block back at once, it would fail
    // the run on its second try (`... (try 2 of 2) on block 1`, exit 127).
    const args = ['--job', 'backoff', '-j', '1', '--verbose', '--start-backoff', '10m'];
    const broken = startWorker(server.url, args, [script]);
    await broken.stderr.waitFor(/^manifold: waiting for job "backoff" on /, 1);
    chmodSync(script, 0o644);
    const joblog = join(tempDir(), 'joblog.tsv');
    // Three blocks: the broken machine fails the first, and has pulled the second ahead.
    const run = ['--job', 'backoff', '--retries', '1', '--joblog', joblog, '--block', '6'];
    const result = coordinate(server.url, [...run, '--merge', 'ordered'], numbered(1, 9));
    await broken.stderr.waitFor(
      /^manifold: worker 1 could not start its process: no block is taken for 10m \(--start-backoff\), for another machine to take it first$/,
      1,
    );
    const healthy = startWorker(server.url, ['--job', 'backoff'], ['sed', 's/^/ok /']);
    const { stdout, stderr, exitCode } = await result;
    expect({ stdout: String(stdout), stderr, exitCode }).toEqual({
      stdout: numbered(1, 9, 'ok '),
      stderr: '',
      exitCode: 0,
    });
    const [head, ...rows] = readFileSync(joblog, 'utf8').trimEnd().split('\n') as [
      string,
      ...string[],
    ];
    const tries = rows.map((row) => {
      const fields = Object.fromEntries(
        head.split('\t').map((name, i) => [name, row.split('\t')[i]]),
      );
      return { Seq: fields.Seq, Attempts: fields.Attempts, Exitval: fields.Exitval };
    });
    // Block 1: its failed try, then the healthy machine's. Block 2, pulled ahead by the broken
    // machine, was given back untried, its process not started: one try, the healthy one's.
    // Started by the broken machine too, it would be charged a try there (Attempts 2).
    expect(tries.sort((a, b) => Number(a.Seq) - Number(b.Seq))).toEqual([
      { Seq: '1', Attempts: '2', Exitval: '0' },
      { Seq: '2', Attempts: '1', Exitval: '0' },
      { Seq: '3', Attempts: '1', Exitval: '0' },
    ]);
    // The job finished, the one backing off leaves at once, not after its 10 minutes.
    expect((await broken.done()).exitCode).toBe(0);
    expect((await healthy.done()).exitCode).toBe(0);
  });
});
