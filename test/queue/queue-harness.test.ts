import { readdirSync } from 'node:fs';
import { beforeAll, describe, it } from 'vitest';
import { type NatsServer, startNats } from '../support/nats.js';
import { commandOf, killQuietly } from '../support/proc.js';
import { coordinateJoined, startWorker } from '../support/queue.js';

// The helpers the queue's tests stand on (test/support/queue.ts). A coordinator that exited
// before its workers found the job (a bad option) left coordinateJoined waiting for them until
// the test's timeout, which said nothing of why; it now fails at once with what it said. A
// worker that exited before it found the job left the coordinator running, its stdin open, after
// the test: it now ends the coordinator too, and says what the worker said.

/** The running processes whose command line holds each of `words`. */
const running = (...words: string[]) =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid)
    .filter((pid) => {
      const command = ` ${commandOf(pid)} `;
      return words.every((word) => command.includes(` ${word} `));
    });

// One server for the file: started in a beforeAll, it is stopped after the file's last test
// (support/cleanup.ts), each test with a job of its own.
let nats: NatsServer;
beforeAll(async () => {
  nats = await startNats();
}, 30_000);

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

  it('ends the coordinator, and says why, when a worker exits before it finds the job', async ({
    expect,
  }) => {
    // A name of this run's own: /proc is scanned for it, and another suite may run beside this.
    const name = `worker-exits-first-${process.pid}`;
    const job = ['--job', name];
    // -j 0 is a usage error: the worker exits 2 before it looks for the job.
    const worker = startWorker(nats.url, ['--verbose', '-j', '0', ...job], ['cat']);
    try {
      const joined = coordinateJoined(nats.url, job, 'a\nb\n', [worker]);
      await expect(joined).rejects.toThrow(
        /^a worker exited with status 2 before it found the job; it said:\nmanifold: /,
      );
      expect(running('fan', '--queue', name)).toEqual([]);
    } finally {
      for (const pid of running('fan', '--queue', name)) killQuietly(pid);
    }
  });
});
