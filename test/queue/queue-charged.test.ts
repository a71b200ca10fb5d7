import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';
import { tempDir } from '../support/temp.js';

// A persistent worker (--one-to-one, --protocol) that fails holding several blocks charges the
// oldest alone, the one it was on, as the local fan does: those behind it waited their turn and
// go again untried. Failed with it, under --retries 0 and --halt never every block it held
// would be lost, where the local fan runs them again and writes them.

/** Reads its whole input, then fails on a `poison` line, or writes it back, one line a line. */
const READS_ALL =
  'f=$(mktemp); cat > "$f"; if grep -qx poison "$f"; then rm "$f"; exit 3; fi; cat "$f"; rm "$f"';

/** Three blocks of ten 10-byte lines under --block 100; the second has the poison. */
const input = Array.from({ length: 30 }, (_, i) =>
  i === 14 ? 'poison\n' : `line${String(i + 1).padStart(5, '0')}\n`,
).join('');

const tail = Array.from({ length: 10 }, (_, i) => `line000${21 + i}\n`).join('');

describe('a persistent queue worker that fails with blocks in hand', () => {
  it('charges the block it was on alone, as the local fan does: the others run again', async () => {
    const options = ['--block', '100', '--halt', 'never', '--merge', 'ordered'];
    const local = await run(
      manifold,
      ['fan', '-j', '1', '--one-to-one', ...options, '--shell', '--', READS_ALL],
      input,
    );
    const server = await startNats();
    const worker = startWorker(
      server.url,
      ['--job', 'held', '-j', '1', '--one-to-one', '--shell'],
      [READS_ALL],
    );
    const joblog = join(tempDir(), 'joblog.tsv');
    const queue = ['--job', 'held', '--joblog', joblog, ...options];
    const queued = await coordinate(server.url, queue, input);
    // Each instance reads every block it is given before it fails: the first holds all three,
    // and the oldest, block 1, is charged; blocks 2 and 3 go again, and block 2 is charged.
    const failed = (block: number, records: string) =>
      `exited with status 3 (\\(try 1 of 1\\) )?on block ${block} \\(records ${records}\\)$`;
    for (const [side, result] of [
      ['local', local],
      ['queue', queued],
    ] as const) {
      expect({ side, stdout: String(result.stdout), exitCode: result.exitCode }).toEqual({
        side,
        stdout: tail,
        exitCode: 1,
      });
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(failed(1, '1-10')));
      expect(lines[1]).toMatch(new RegExp(failed(2, '11-20')));
    }
    expect(queued.stderr).toContain(`queue worker on ${hostname()}: worker 1`);
    // Each block was charged its one try alone: given back untried, a block loses none (were each
    // delivery counted, block 2 would show 2, given back once, and block 3 would show 3).
    const [head, ...rows] = readFileSync(joblog, 'utf8').trimEnd().split('\n') as [
      string,
      ...string[],
    ];
    const [seq, tries] = ['Seq', 'Attempts'].map((name) => head.split('\t').indexOf(name));
    const attempts = rows.map((row) => row.split('\t')).map((f) => `${f[seq!]}:${f[tries!]}`);
    expect(attempts.sort()).toEqual(['1:1', '2:1', '3:1']);
    expect((await worker.done()).exitCode).toBe(0);
  });
});
