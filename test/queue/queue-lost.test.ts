import { DiscardPolicy } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { jobNames, WORKERS_CONSUMER } from '../../orchestrator/workers/queue/names.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import {
  coordinate,
  foundJob,
  gate,
  nakTaken,
  type QueueWorker,
  startWorker,
  unsaid,
} from '../support/queue.js';
import { collect, spawnManifold, waitForExit, watch, within } from '../support/spawn.js';

// A block that kills its worker on every delivery (a poison input) goes round only a bounded
// number of times, then fails the run, named, as a block failing every try does. The blocks
// held beside it die with it at first; past its tries it runs alone, so none of them fails.
// The workers are restarted as a supervisor would, each killed in turn by the block.

const input = Buffer.from(numbered(1, 1_000));
const common = ['--merge', 'ordered', '--block', '1000', '--halt', 'never'];

describe('a block that kills its worker', () => {
  // -j 1: the block pulled ahead dies beside it while it is within its tries (2, --retries 1).
  // -j 2: the other slot's blocks too.
  for (const [slots, retries] of [
    ['1', 1],
    ['2', 0],
  ] as const) {
    it(`is given a bounded number of times, then fails the run naming it (exit 1); no other block fails (-j ${slots}, --retries ${retries})`, async () => {
      const args = [...common, '--retries', String(retries)];
      const given = retries + 3;
      const server = await startNats();
      // Block 2 of 4 SIGKILLs the `manifold worker` running it: the shell's parent, or its
      // grandparent when a process starter (python3 or perl, workers/process/spawner.ts) started
      // the shell.
      const poison =
        'w=$PPID; case "$(cat /proc/$w/comm)" in perl|python3) w=$(cut -d" " -f4 /proc/$w/stat);; esac; ' +
        '[ "$MANIFOLD_BLOCK" = 2 ] && kill -9 $w; cat';
      const coordinator = coordinate(server.url, [...args, '--ack-wait', '1s'], input);
      const started: QueueWorker[] = [];
      let finished = false;
      const supervisor = (async () => {
        for (;;) {
          const worker = startWorker(server.url, ['-j', slots, '--shell', '--verbose'], [poison]);
          started.push(worker);
          const end = await waitForExit(worker.child);
          if (finished || end.signal !== 'SIGKILL') return { end, stderr: worker.stderr.text };
        }
      })();
      const result = await coordinator;
      finished = true;
      expect(result.stderr).toMatch(
        new RegExp(
          `^manifold: job "default": queue worker on \\S+: given ${given} times to workers lost with it \\(killed, or cut off from the queue past the ack wait\\) on block 2 \\(records \\d+-\\d+\\)\\n$`,
        ),
      );
      expect(result.exitCode).toBe(1);
      // Its tries and the 2 lost deliveries allowed beyond them kill workers; the next fails it.
      // (A worker too slow to confirm within the ack wait, on a loaded machine, may see one
      // delivery more of it than it runs: fewer are killed then, never more.)
      expect(started.length).toBeLessThanOrEqual(given + 1);
      expect(started.length).toBeGreaterThanOrEqual(given);
      // The worker started last is the one that failed the block, and leaves as the job is
      // gone; or, on a loaded machine, it was started as the one before it was killed by a
      // delivery of the block the run had failed already, and found no job: it would wait for
      // the next of its name, and is stopped.
      const latest = started.at(-1)!;
      if (!foundJob(latest.stderr.text)) latest.kill();
      const last = await supervisor;
      if (foundJob(last.stderr)) {
        expect(last.end.exitCode).toBe(0);
        expect(unsaid(last.stderr)).toBe('');
      }
      // As a local fan whose block 2 fails: the other blocks' output, in order.
      const local = await fan(
        [...args, '--shell', '--', '[ "$MANIFOLD_BLOCK" = 2 ] && exit 3; cat'],
        input,
      );
      expect(local.exitCode).toBe(1);
      expect(byteDiff(result.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
      // Each worker killed costs an ack wait and a start of manifold: slow on a loaded machine.
    }, 60_000);
  }
});

describe('a block run alone on a persistent worker', () => {
  it('whose filter holds its output back until its input ends: the blocks in flight are ended first, no hang', async () => {
    const server = await startNats();
    const args = ['fan', '--queue', server.url, '--merge', 'ordered', '--block', '1000'];
    const coordinator = spawnManifold([...args, '--ack-wait', '10s', '--verbose']);
    const done = collect(coordinator.stdout);
    coordinator.stdin!.end(input.subarray(0, 2_500));
    await watch(coordinator.stderr!).waitFor(/^manifold: started job "default"/, 1);
    const conn = await connectQueue(server.url);
    try {
      // Block 1 given twice, here, as to two workers lost with it: its next delivery runs alone.
      const blocks = await conn.js.consumers.get(
        jobNames('default').blocksStream,
        WORKERS_CONSUMER,
      );
      await nakTaken(conn.nc, (await blocks.next({ expires: 10_000 }))!);
      const held = (await blocks.next({ expires: 10_000 }))!;
      expect(held.info.deliveryCount).toBe(2);
      // tr writes nothing until its input ends: the blocks given to it wait for that.
      const worker = startWorker(
        server.url,
        ['-j', '1', '--one-to-one', '--shell'],
        ['IFS= read -r first; echo took >&2; { printf "%s\\n" "$first"; cat; } | tr 0-9 a-j'],
      );
      await worker.stderr.waitFor(/^took$/, 1);
      // Block 1 comes to the worker's waiting pull, blocks 2 and 3 in flight on its tr.
      held.nak();
      const end = await within(waitForExit(coordinator), 20_000, 'the run hangs');
      expect(end.exitCode).toBe(0);
      const want = Buffer.from(
        input
          .subarray(0, 2_500)
          .toString()
          .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!),
      );
      expect(byteDiff(await done, want)).toEqual(sameBytes(want));
      expect(await worker.done()).toMatchObject({ exitCode: 0 });
    } finally {
      await conn.close();
    }
  });
});

describe('blocks run alone, one after the other', () => {
  it("the second is given to its process only once the server has the first's answer: the first is not lost with a worker the second kills", async () => {
    const server = await startNats();
    const args = ['fan', '--queue', server.url, '--merge', 'ordered', '--block', '1000'];
    const coordinator = spawnManifold([
      ...args,
      '--retries',
      '0',
      '--ack-wait',
      '10s',
      '--verbose',
    ]);
    const done = collect(coordinator.stdout);
    const two = input.subarray(0, 1_500);
    coordinator.stdin!.end(two);
    await watch(coordinator.stderr!).waitFor(/^manifold: started job "default"/, 1);
    const names = jobNames('default');
    const conn = await connectQueue(server.url);
    const door = gate();
    try {
      // Both blocks given twice, here, as to workers lost with them: each runs alone next
      // (--retries 0), and a third loss would fail it.
      const blocks = await conn.js.consumers.get(names.blocksStream, WORKERS_CONSUMER);
      for (const delivery of [1, 2]) {
        const pair = [
          await blocks.next({ expires: 10_000 }),
          await blocks.next({ expires: 10_000 }),
        ];
        for (const message of pair) {
          expect(message!.info.deliveryCount).toBe(delivery);
          await nakTaken(conn.nc, message!);
        }
      }
      // The results stream takes nothing more for now: the first block's answer waits.
      const results = await conn.jsm.streams.info(names.resultsStream);
      await conn.jsm.streams.update(names.resultsStream, {
        ...results.config,
        max_msgs: results.state.messages,
        discard: DiscardPolicy.New,
      });
      // Its pieces reach the subject's subscribers even as the stream refuses them.
      let tried!: () => void;
      const answering = new Promise<void>((resolve) => (tried = resolve));
      const sub = conn.nc.subscribe(names.outSubject, { callback: () => tried() });
      await conn.nc.flush();
      const worker = startWorker(server.url, ['-j', '1', '--shell'], door.command);
      await worker.stderr.waitFor(/^start \d+$/, 1);
      door.open(1);
      await answering;
      sub.unsubscribe();
      await conn.jsm.streams.update(names.resultsStream, results.config);
      // Had it not waited, a second block that killed its worker would take the first with it.
      await worker.stderr.waitFor(/^start \d+$/, 2);
      const workers = await conn.jsm.consumers.info(names.blocksStream, WORKERS_CONSUMER);
      expect(workers.num_ack_pending).toBe(1);
      door.open(1);
      const end = await within(waitForExit(coordinator), 20_000, 'the run hangs');
      expect(end.exitCode).toBe(0);
      expect(byteDiff(await done, two)).toEqual(sameBytes(two));
      expect(await worker.done()).toMatchObject({ exitCode: 0 });
    } finally {
      door.close();
      await conn.close();
    }
  });
});
