import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, coordinateJoined, startWorker } from '../support/queue.js';
import { tempDir } from '../support/temp.js';

// {#} in the command of `manifold worker --queue` is the job's block number (the coordinator's
// `block 7`), whichever worker machine runs it and on whichever try; {%} is the slot on that
// worker's machine (1 to its -j), as MANIFOLD_SLOT there.

const input = Buffer.from(numbered(1, 3_000));

/** The rows of an ordered merge's output, each split into its words. */
const rows = (stdout: Buffer) =>
  stdout
    .toString()
    .split('\n')
    .slice(0, -1)
    .map((row) => row.split(' '));

describe('{#} and {%} under manifold worker --queue', () => {
  it("two workers' machines share one job: {#} numbers its blocks once, 1 to n, across both", async () => {
    const server = await startNats();
    const dir = tempDir('manifold-queue-number-');
    const fifo = join(dir, 'meet');
    execFileSync('mkfifo', [fifo]);
    // Each machine's first block waits for the other's (a FIFO opened by both ends), so both run
    // blocks. a (one slot, so at most one block pulled ahead) alone is there when the input goes;
    // b is started once a's first block runs, and takes the rest (1K: 15 blocks). Both there
    // from the start, b's second slot once took every block while a's pull was slow, and b's first
    // block waited for a's for ever (CI, loaded).
    const meet = (side: string, other: string) =>
      `cat >/dev/null; if mkdir ${dir}/${side} 2>/dev/null; then echo ${side} began >&2; ${other}; fi; echo {#} {%} $MANIFOLD_SLOT ${side}`;
    const a = startWorker(
      server.url,
      ['--job', 'n', '-j', '1', '--shell', '--verbose'],
      [meet('a', `read x < ${fifo}`)],
    );
    const job = coordinateJoined(
      server.url,
      ['--job', 'n', '--block', '1K', '--merge', 'ordered'],
      input,
      [a],
    );
    await Promise.race([a.stderr.waitFor(/^a began$/, 1), job]);
    const b = startWorker(
      server.url,
      ['--job', 'n', '-j', '2', '--shell', '--verbose'],
      [meet('b', `echo go > ${fifo}`)],
    );
    const result = await job;
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const seen = rows(result.stdout);
    const blocks = Math.ceil(input.length / 1024);
    expect(seen.map(([number]) => number)).toEqual(
      Array.from({ length: blocks }, (_, i) => String(i + 1)),
    );
    expect(new Set(seen.map((row) => row[3]))).toEqual(new Set(['a', 'b']));
    for (const [, slot, envSlot, side] of seen) {
      expect(slot).toBe(envSlot);
      expect(side === 'a' ? ['1'] : ['1', '2']).toContain(slot);
    }
    for (const worker of [a, b]) expect((await worker.done()).exitCode).toBe(0);
  });

  it('a block tried again (--retries) keeps its number: the retry is the same block', async () => {
    const server = await startNats();
    const dir = tempDir('manifold-queue-number-');
    // Each block fails on its first try (no mark of its number yet), and passes on its second.
    const once = `m=${dir}/{#}; if [ -e "$m" ]; then echo {#} $(wc -l); else touch "$m"; exit 1; fi`;
    const worker = startWorker(server.url, ['--job', 'r', '-j', '2', '--shell'], [once]);
    const result = await coordinate(
      server.url,
      ['--job', 'r', '--block', '4K', '--retries', '1', '--merge', 'ordered'],
      input,
    );
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const seen = rows(result.stdout);
    expect(seen.map(([number]) => number)).toEqual(seen.map((_, i) => String(i + 1)));
    expect(seen.reduce((lines, [, count]) => lines + Number(count), 0)).toBe(3_000);
    expect((await worker.done()).exitCode).toBe(0);
  });

  it('{#} in the command of a worker that stays is refused in one line, exit 2, as a fan does', async () => {
    const result = await run(manifold, [
      ...['worker', '--queue', 'nats://127.0.0.1:1', '--one-to-one'],
      ...['--', 'sh', '-c', 'cat > part-{#}'],
    ]);
    expect([result.exitCode, result.stdout.toString(), result.stderr.toString()]).toEqual([
      2,
      '',
      "manifold: {#} in the command is the number of the one block its process runs, and a worker of --one-to-one takes many: run a process per block with --per-block (as parallel --pipe does), or leave {#} out (see 'manifold worker --help')\n",
    ]);
  });
});
