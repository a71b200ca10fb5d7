import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type NatsServer, startNats } from '../support/nats.js';
import { coordinateJoined, startWorker } from '../support/queue.js';

// A record over --max-record in a queue worker's output was named by the coordinator's own slot
// (`worker 1 output of block 3 (...)`), which is no worker anyone ran: the queue's workers are
// elsewhere, each with its slots. It is now named as the queue names a failed block: the job,
// the machine and the slot there (`job "J": queue worker on HOST: worker 2 output of block 3`).

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
}, 30_000);
afterAll(async () => {
  await nats.stop();
});

describe("a record over --max-record in a queue worker's output", () => {
  it('is named by the job, the machine and the slot that made it', async ({ expect }) => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `${i + 1}\n`).join('');
    const job = ['--job', 'max-record'];
    const script =
      'if grep -qx 30000; then head -c 3000 /dev/zero | tr "\\0" x; echo; else echo ok; fi';
    const worker = startWorker(nats.url, ['--verbose', '-j', '1', ...job], ['sh', '-c', script]);
    const args = [...job, '--max-record', '1K', '--merge', 'ordered', '--block', '64K'];
    const result = await coordinateJoined(nats.url, args, lines, [worker]);
    await worker.done();
    expect(result.exitCode).toBe(1);
    const where = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: job "max-record": queue worker on ${where}: worker 1 output of block \\d+ \\(records \\d+-\\d+\\): record is larger than the maximum record size 1 KiB \\(2\\.9 KiB so far\\); raise it with --max-record$`,
        'm',
      ),
    );
  }, 60_000);
});
