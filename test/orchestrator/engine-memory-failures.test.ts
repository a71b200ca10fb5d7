import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Transport, WorkerKind } from '../../orchestrator/workers/transport.js';
import { numbered, runMemoryFan } from '../support/memory-fan.js';
import {
  type MemoryContext,
  type MemoryScript,
  memoryKind,
  type Reply,
} from '../support/memory-transport.js';

// How the fan engine meets failing workers (retries, --halt, the lines it writes), driven in
// this process over in-memory workers whose faults are scripted: which block fails, how, and
// what the other workers are doing then. Blocks are 12 bytes: block k holds records 3k-2 to 3k.

const STATUS_3 = 'exited with status 3';

/** Copies its input, failing with `reply` on a send that holds `marker`. */
function failOn(
  marker: string,
  reply: Reply,
  when: (context: MemoryContext) => boolean = () => true,
) {
  return () => ({
    take: (input: Buffer, context: MemoryContext) =>
      input.includes(marker) && when(context) ? reply : input,
  });
}

/** A promise that never settles: a worker stalled in the middle of a block, until stopped. */
const never = new Promise<void>(() => {});

describe('a failing in-memory worker under --halt now', () => {
  it('stops the other workers, even one stalled mid-block, and names the block and records', async () => {
    const kind = memoryKind({
      program: failOn('r05', { fail: STATUS_3 }),
      gate: ({ slot, send }) => (slot === 1 && send === 2 ? never : undefined),
    });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'one-to-one',
      dispatch: 'round-robin',
    });
    expect(run.stderr).toEqual([
      `manifold: worker 2 (memory 2) ${STATUS_3} on block 2 (records 4-6)\n`,
    ]);
    expect(run.end).toEqual({ kind: 'done', status: 1 });
    expect(kind.stops).toEqual([{ slot: 1, instance: 1, reason: 'graceful' }]);
    expect(run.output).not.toMatch(/r0[4-9]/);
  });

  it('kills a worker that goes on when asked to stop, after the grace period', async () => {
    const kind = memoryKind({
      program: failOn('r05', { fail: STATUS_3 }),
      gate: ({ slot }) => (slot === 1 ? never : undefined),
      stubborn: true,
    });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'one-to-one',
      dispatch: 'round-robin',
    });
    expect(run.end).toEqual({ kind: 'done', status: 1 });
    expect(kind.stops).toEqual([
      { slot: 1, instance: 1, reason: 'graceful' },
      { slot: 1, instance: 1, reason: 'kill' },
    ]);
  });

  it('exits 127 when what the worker runs is not found', async () => {
    const kind = memoryKind({
      program: failOn('r01', {
        fail: 'exited with status 127 (command not found)',
        notFound: true,
      }),
    });
    const run = await runMemoryFan(kind, numbered(3), { attribution: 'per-block', workers: 1 });
    expect(run.stderr).toEqual([
      'manifold: worker 1 (memory 1) exited with status 127 (command not found) on block 1 (records 1-3)\n',
    ]);
    expect(run.end).toEqual({ kind: 'done', status: 127 });
  });

  it('stops the run with exit 2 when a worker cannot start', async () => {
    const kind = memoryKind({
      program: failOn('r01', {}),
      cannotStart: ({ slot }) => (slot === 2 ? 'out of threads' : undefined),
    });
    const run = await runMemoryFan(kind, numbered(30));
    expect(run.stderr).toEqual(['manifold: cannot start worker 2: out of threads\n']);
    expect(run.end).toEqual({ kind: 'done', status: 2 });
  });
});

/**
 * `script`'s memory workers, stopped as a process is: its input destroyed at once, so that it
 * holds nothing unsent (and looks ready), and its end heard only later, after I/O.
 */
function stoppedAsProcesses(script: MemoryScript): WorkerKind {
  const kind = memoryKind(script);
  return {
    forSlot: (spec) => ({
      open: (events) => {
        let stopped = false;
        const transport = kind.forSlot(spec).open({
          ...events,
          end: (end) => (stopped ? setImmediate(() => events.end(end)) : events.end(end)),
        });
        return new Proxy(transport, {
          get(target, key) {
            if (key === 'unsent') return stopped ? 0 : target.unsent;
            if (key === 'stop') {
              return (reason: Parameters<Transport['stop']>[0]) => {
                stopped = true;
                target.stop(reason);
              };
            }
            const value = Reflect.get(target, key);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    }),
  };
}

describe('a fan that stops', () => {
  // Stopped (as by its output closed) while worker 1 holds its first block, with the rest of
  // one 129 KB read of the input waiting in the queue: those blocks were all given to worker 1,
  // stopped and not yet heard to end, as after an output destroyed early, where a process's
  // input, destroyed, holds nothing unsent (100,000 16-byte blocks given so, each write
  // failing, kept the event loop busy for 40 s).
  it('gives no block still waiting to a worker being stopped', async () => {
    let stop = () => {};
    const kind = stoppedAsProcesses({
      program: () => ({ take: (input) => input }),
      gate: ({ send }) => {
        if (send !== 1) return undefined;
        stop();
        return never;
      },
    });
    const input = Readable.from([Buffer.from(numbered(20_000))]);
    const run = await runMemoryFan(kind, '', { workers: 1, inputs: null, input }, (fan) => {
      stop = () => fan.stop({ kind: 'closed' });
    });
    expect(run.end).toEqual({ kind: 'closed' });
    expect(run.summary.totals.blocks).toBe(1);
  });
});

describe('a failing in-memory worker under --halt never', () => {
  it('finishes every other block, in order, loses the failed one (the whole records it wrote go out in its place), and exits 1', async () => {
    const kind = memoryKind({ program: failOn('r05', { output: 'r04\n', fail: STATUS_3 }) });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'per-block',
      dispatch: 'round-robin',
      merge: 'ordered',
      halt: 'never',
    });
    expect(run.stderr).toEqual([
      `manifold: worker 2 (memory 2) ${STATUS_3} on block 2 (records 4-6)\n`,
    ]);
    // As a ready merge streams them and GNU parallel writes a failed job's output: without
    // retries, what the lost block wrote is written, whether or not it was streaming then.
    expect(run.output).toBe(numbered(12).replace('r04\nr05\nr06\n', 'r04\n'));
    expect(run.end).toEqual({ kind: 'done', status: 1 });
  });

  it('names what an unattributed worker had been given', async () => {
    const kind = memoryKind({ program: failOn('r08', { fail: STATUS_3 }) });
    const run = await runMemoryFan(kind, numbered(12), { dispatch: 'round-robin', halt: 'never' });
    expect(run.stderr).toEqual([
      `manifold: worker 1 (memory 1) ${STATUS_3}; it had been given 2 blocks, from block 1 (records 1-3) to block 3 (records 7-9)\n`,
    ]);
    expect(run.end).toEqual({ kind: 'done', status: 1 });
  });

  it('fails the blocks a worker left unanswered when it ended well (one-to-one)', async () => {
    const kind = memoryKind({
      program: () => ({ take: (input, { send }) => (send === 2 ? { exit: true } : input) }),
    });
    const run = await runMemoryFan(kind, numbered(9), {
      attribution: 'one-to-one',
      workers: 1,
      halt: 'never',
    });
    expect(run.stderr[0]).toBe(
      'manifold: worker 1 (memory 1) ended before finishing block 2 (records 4-6)\n',
    );
    expect(run.output).toBe('r01\nr02\nr03\nr07\nr08\nr09\n');
    expect(run.end).toEqual({ kind: 'done', status: 1 });
  });
});

describe('retries over in-memory workers', () => {
  it('tries a failed block again in a fresh instance, and the run succeeds', async () => {
    const kind = memoryKind({
      program: failOn('r05', { fail: STATUS_3 }, ({ instance }) => instance === 2),
    });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'one-to-one',
      dispatch: 'round-robin',
      merge: 'ordered',
      retries: 2,
    });
    expect(run.log).toContain(
      `worker 2 (memory 2) ${STATUS_3} on block 2 (records 4-6); trying again (1 of 2)`,
    );
    expect(run).toMatchObject({
      output: numbered(12),
      stderr: [],
      end: { kind: 'done', status: 0 },
    });
    expect(kind.opened).toBe(3);
  });

  it('gives up on a block that fails 1 + retries times, naming each try', async () => {
    const kind = memoryKind({ program: failOn('r05', { fail: STATUS_3 }) });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'per-block',
      dispatch: 'round-robin',
      merge: 'ordered',
      retries: 2,
    });
    const tries = run.log.filter((line) => line.includes('trying again'));
    expect(tries.map((line) => line.replace(/.*; /, ''))).toEqual([
      'trying again (1 of 2)',
      'trying again (2 of 2)',
    ]);
    expect(run.stderr).toEqual([
      expect.stringMatching(
        /^manifold: worker 2 \(memory \d+\) exited with status 3 on block 2 \(records 4-6\); tried 3 times\n$/,
      ),
    ]);
    expect(run.end).toEqual({ kind: 'done', status: 1 });
  });

  it('does not try again a failure its transport says cannot be helped', async () => {
    const kind = memoryKind({ program: failOn('r05', { fail: STATUS_3, retryable: false }) });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'per-block',
      dispatch: 'round-robin',
      retries: 2,
    });
    expect(run.log.filter((line) => line.includes('trying again'))).toEqual([]);
    expect(run.stderr).toEqual([
      `manifold: worker 2 (memory 2) ${STATUS_3} on block 2 (records 4-6)\n`,
    ]);
  });
});

describe('the worker kind', () => {
  it('is refused by name when no such kind is registered', async () => {
    await expect(runMemoryFan('no-such-kind', numbered(3))).rejects.toThrow(
      "unknown worker kind 'no-such-kind' (known: process, thread, ssh)",
    );
  });
});
