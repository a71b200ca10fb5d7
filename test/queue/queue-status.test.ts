import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, gate, startWorker } from '../support/queue.js';

// `manifold queue status` on a job held at a gate: what is published, pending, in flight,
// redelivered (a worker lost), done; and a job finished is gone.

const status = async (url: string, ...args: string[]) => {
  const result = await run(manifold, ['queue', 'status', '--queue', url, ...args]);
  expect(result.stderr).toBe('');
  return result;
};

describe('manifold queue status', () => {
  it('counts the blocks of a job as they go, a lost worker’s block as redelivered', async () => {
    const server = await startNats();
    const input = Buffer.from(numbered(1, 3_000)); // 7 blocks of 2K
    const { command, open, close } = gate();
    const lost = startWorker(server.url, ['-j', '1', '--job', 'st', '--shell'], command);
    const coordinator = coordinate(
      server.url,
      ['--job', 'st', '--block', '2K', '--ack-wait', '1s'],
      input,
    );
    await lost.stderr.waitFor(/^start 1$/, 1);
    lost.kill();
    const worker = startWorker(server.url, ['-j', '7', '--job', 'st', '--shell'], command);
    // Blocks 2 to 7 fill 6 of its slots; block 1 comes back to the seventh once the lost worker's
    // ack wait has run out.
    await worker.stderr.waitFor(/^start 1$/, 1);
    const json = await status(server.url, '--job', 'st', '--json');
    const [counts] = JSON.parse(json.stdout.toString());
    // The lost worker had pulled its next block too, or was about to; on a busy machine a block
    // may also outlast its ack wait: at least the lost block is redelivered.
    expect(counts).toMatchObject({ job: 'st', published: 7, done: 0, failed: 0 });
    expect(counts.redelivered).toBeGreaterThanOrEqual(1);
    expect(counts.inFlight).toBeGreaterThanOrEqual(1);
    const table = (await status(server.url)).stdout.toString().split('\n');
    expect(table[0]).toBe('job  published  pending  in flight  redelivered  done  failed');
    expect(table[1]).toMatch(/^st {3}7 {10}\d+ +\d+ +[1-7] +0 {5}0$/);
    open(100);
    expect((await coordinator).exitCode).toBe(0);
    close();
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
    expect((await status(server.url, '--json')).stdout.toString()).toBe('[]\n');
    const none = await run(manifold, ['queue', 'status', '--queue', server.url, '--job', 'st']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe(`manifold: no job "st" on the queue at ${server.url}\n`);
  });
});
