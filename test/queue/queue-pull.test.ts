import { AckPolicy, RetentionPolicy } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { pullOne } from '../../orchestrator/queue/pull.js';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { startNats } from '../support/nats.js';

// A worker gives up on a pull that goes unanswered past three times its time (a server gone
// away). Held up that long itself (a loaded machine; SIGSTOP), it gave up on pulls whose block
// was on its way: that block then waited for the job's ack wait (30 s by default) with nobody
// running it, which timed a CI run's queue tests out. Reproduced by stopping a worker 3.5 s in
// every 3.6 s: a job with --ack-wait 150s took 168 s, and 40 s once such a block is handed back.

describe('pullOne', () => {
  it('hands back to the queue at once a block that comes to a pull given up on', async () => {
    const server = await startNats();
    const conn = await connectQueue(server.url);
    try {
      await conn.jsm.streams.add({
        name: 'blocks',
        subjects: ['blocks'],
        retention: RetentionPolicy.Workqueue,
      });
      await conn.jsm.consumers.add('blocks', {
        durable_name: 'workers',
        ack_policy: AckPolicy.Explicit,
        // Far past the test's time: a block held by the pull given up on would come back so late.
        ack_wait: 600 * 1e9,
      });
      const consumer = await conn.js.consumers.get('blocks', 'workers');
      // Given up on at once; the pull stays with the server for its 5 s, and takes the block.
      await expect(pullOne(consumer, { expires: 5000, giveUpMs: 1 })).rejects.toThrow(
        'a pull went unanswered',
      );
      await conn.js.publish('blocks', Buffer.from('block 1'));
      const message = await pullOne(consumer, { expires: 5000, giveUpMs: 15_000 });
      expect(message).not.toBeNull();
      expect(Buffer.from(message!.data).toString()).toBe('block 1');
      // The pull given up on had it first.
      expect(message!.info.deliveryCount).toBe(2);
      message!.ack();
    } finally {
      await conn.close();
    }
  });
});
