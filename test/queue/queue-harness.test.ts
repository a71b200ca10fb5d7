import { afterAll, beforeAll, describe, it } from 'vitest';
import { type NatsServer, startNats } from '../support/nats.js';
import { coordinateJoined, startWorker } from '../support/queue.js';

// The helpers the queue's tests stand on (test/support/queue.ts). A coordinator that exited
// before its workers found the job (a bad option) left coordinateJoined waiting for them until
// the test's timeout, which said nothing of why; it now fails at once with what it said.

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
}, 30_000);
afterAll(async () => {
  await nats.stop();
});

describe('coordinateJoined', () => {
  it('fails at once, with its status and stderr, when the coordinator exits first', async ({
    expect,
  }) => {
    const job = ['--job', 'exits-first'];
    const worker = startWorker(nats.url, ['--verbose', '-j', '1', ...job], ['cat']);
    try {
      const joined = coordinateJoined(nats.url, [...job, '--block', 'lots'], 'a\nb\n', [worker]);
      await expect(joined).rejects.toThrow(
        /^the coordinator \(manifold fan --queue URL --job exits-first --block lots\) exited with status 2 before its workers found the job; it said:\nmanifold: --block/,
      );
    } finally {
      worker.kill();
    }
  });
});
