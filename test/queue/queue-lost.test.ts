import { describe, expect, it } from 'vitest';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, type QueueWorker, startWorker } from '../support/queue.js';
import { waitForExit } from '../support/spawn.js';

// A block that kills its worker on every delivery (a poison input) goes round only a bounded
// number of times, then fails the run, named, as a block failing every try does. The blocks
// held beside it die with it at first; past its tries it runs alone, so none of them fails.
// The workers are restarted as a supervisor would, each killed in turn by the block.

const input = Buffer.from(numbered(1, 1_000));
const args = ['--merge', 'ordered', '--block', '1000', '--retries', '1', '--halt', 'never'];

describe('a block that kills its worker', () => {
  for (const slots of ['1', '2']) {
    it(`is given a bounded number of times, then fails the run naming it (exit 1); no other block fails (-j ${slots})`, async () => {
      const server = await startNats();
      // Block 2 of 4 SIGKILLs the `manifold worker` running it (the shell's parent).
      const poison = '[ "$MANIFOLD_BLOCK" = 2 ] && kill -9 $PPID; cat';
      const coordinator = coordinate(server.url, [...args, '--ack-wait', '500ms'], input);
      const started: QueueWorker[] = [];
      let finished = false;
      const supervisor = (async () => {
        for (;;) {
          const worker = startWorker(server.url, ['-j', slots, '--shell'], [poison]);
          started.push(worker);
          const end = await waitForExit(worker.child);
          if (finished || end.signal !== 'SIGKILL') return { end, stderr: worker.stderr.text };
        }
      })();
      const result = await coordinator;
      finished = true;
      expect(result.stderr).toMatch(
        /^manifold: queue worker on \S+: given 4 times to workers lost with it \(killed, or cut off from the queue past the ack wait\) on block 2 \(records \d+-\d+\)\n$/,
      );
      expect(result.exitCode).toBe(1);
      // Tries (2) and the 2 lost deliveries allowed beyond them: 4 workers killed, the 5th fails it.
      expect(started.length).toBe(5);
      const last = await supervisor;
      expect(last.end.exitCode).toBe(0);
      expect(last.stderr).toBe('');
      // As a local fan whose block 2 fails: the other blocks' output, in order.
      const local = await fan(
        [...args, '--shell', '--', '[ "$MANIFOLD_BLOCK" = 2 ] && exit 3; cat'],
        input,
      );
      expect(local.exitCode).toBe(1);
      expect(byteDiff(result.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
    }, 20_000);
  }
});
