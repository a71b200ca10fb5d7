import { TimeoutError } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { askQueue, connectQueue, QueueError } from '../../orchestrator/workers/queue/connect.js';
import { startNats } from '../support/nats.js';
import { holdsWithin, stoppedAll } from '../support/proc.js';

// A JetStream API request the server leaves unanswered (seen in CI: nats-server 2.9 on a loaded
// machine never answered a coordinator's making of a stream) is asked again, not the run's end.

describe('askQueue', () => {
  it('asks again a request a stopped server did not answer in time, and gets the answer', async () => {
    const server = await startNats();
    const conn = await connectQueue(server.url);
    try {
      await conn.jsm.streams.add({ name: 'asked', subjects: ['asked'] });
      process.kill(server.pid!, 'SIGSTOP');
      // Not stopped yet when kill returns: a request sent at once could still be answered.
      expect(await holdsWithin(() => stoppedAll(server.pid!), 10_000)).toBe(true);
      let asked = 0;
      const info = await askQueue(conn, 'the stream asked', () => {
        asked++;
        // The first request went unanswered (its time ran out): the server goes on now.
        if (asked === 2) process.kill(server.pid!, 'SIGCONT');
        return conn.jsm.streams.info('asked');
      });
      expect(asked).toBe(2);
      expect(info.config.name).toBe('asked');
    } finally {
      if (server.pid !== null) process.kill(server.pid, 'SIGCONT');
      await conn.close();
    }
  }, 60_000);

  it('gives up after its tries in one line naming the queue and what was asked', async () => {
    const server = await startNats();
    const conn = await connectQueue(server.url);
    let asked = 0;
    try {
      const failed = askQueue(conn, 'making the blocks stream of job "j"', async () => {
        asked++;
        throw new TimeoutError();
      });
      await expect(failed).rejects.toThrow(QueueError);
      await expect(failed).rejects.toThrow(
        `the queue at ${server.url} gave no answer to making the blocks stream of job "j", asked 6 times 10 s apart`,
      );
      expect(asked).toBe(6);
    } finally {
      await conn.close();
    }
  });

  it('does not ask again what the server refused', async () => {
    const server = await startNats();
    const conn = await connectQueue(server.url);
    let asked = 0;
    try {
      const failed = askQueue(conn, 'the stream missing', () => {
        asked++;
        return conn.jsm.streams.info('missing');
      });
      await expect(failed).rejects.toThrow(/stream not found/);
      expect(asked).toBe(1);
    } finally {
      await conn.close();
    }
  });
});
