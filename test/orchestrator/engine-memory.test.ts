import { describe, expect, it } from 'vitest';
import { numbered, runMemoryFan } from '../support/memory-fan.js';
import {
  eachLine,
  lines,
  type MemoryContext,
  memoryKind,
  protocol,
} from '../support/memory-transport.js';

// The fan engine's dispatch, merges and attributions, driven in this process over in-memory
// workers (test/support/memory-transport.ts): no process is started, and every run goes the
// same way. The real-process suites (fan-*.test.ts) check the same engine over processes.

const upper = () => ({ take: (input: Buffer) => input.toString().toUpperCase() });
const input = numbered(40);
const expected = input.toUpperCase();

/** Each line with the worker's number before it: `1:r01\n`. */
const tagged = () => eachLine((line, { slot }) => `${slot}:${line}`);

/** Sorts every line it is given, and writes them all at the end of its input. */
const sortAtEnd = () => {
  const held: string[] = [];
  return {
    take: (bytes: Buffer) => {
      held.push(...lines(bytes));
      return '';
    },
    end: () => held.sort().join(''),
  };
};

const sortedLines = (text: string) => lines(Buffer.from(text)).sort();

describe('the fan engine over in-memory workers: attributions and the ordered merge', () => {
  it.each([
    ['per-block', 'ready'],
    ['per-block', 'round-robin'],
    ['one-to-one', 'ready'],
    ['one-to-one', 'round-robin'],
    ['protocol', 'ready'],
    ['protocol', 'round-robin'],
  ] as const)(
    '%s, dispatch %s: output in input order, each block once',
    async (attribution, dispatch) => {
      const program = attribution === 'protocol' ? () => protocol(upper()) : upper;
      const kind = memoryKind({ program });
      const run = await runMemoryFan(kind, input, {
        attribution,
        dispatch,
        merge: 'ordered',
        workers: 3,
      });
      expect(run).toMatchObject({ output: expected, stderr: [], end: { kind: 'done', status: 0 } });
      // A fresh instance per block, or one per worker for as long as it runs.
      expect(kind.opened).toBe(attribution === 'per-block' ? 14 : 3);
      expect(run.summary.totals).toMatchObject({ blocks: 14, recordsIn: 40, recordsOut: 40 });
    },
  );

  it('holds back the output of later blocks while a stalled worker finishes the first', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const kind = memoryKind({
      program: () => ({
        take: (bytes, { slot, send }) => {
          // Worker 2 has answered blocks 2 and 4: only now may worker 1 answer block 1.
          if (slot === 2 && send === 2) release();
          return bytes.toString().toUpperCase();
        },
      }),
      gate: ({ slot, send }) => (slot === 1 && send === 1 ? released : undefined),
    });
    const run = await runMemoryFan(kind, numbered(12), {
      attribution: 'one-to-one',
      dispatch: 'round-robin',
      merge: 'ordered',
    });
    expect(run.output).toBe(numbered(12).toUpperCase());
  });

  it('one-to-one cuts output written in odd pieces at the right records', async () => {
    const kind = memoryKind({ program: upper, piece: 3 });
    const run = await runMemoryFan(kind, input, { attribution: 'one-to-one', merge: 'ordered' });
    expect(run.output).toBe(expected);
  });

  it('protocol messages split one byte at a time are put back together', async () => {
    const kind = memoryKind({ program: () => protocol(upper()), piece: 1 });
    const run = await runMemoryFan(kind, input, { attribution: 'protocol', merge: 'ordered' });
    expect(run.output).toBe(expected);
  });

  it('a protocol block with no output, and output written after the last block, both arrive', async () => {
    const kind = memoryKind({
      program: () =>
        protocol({ take: (bytes) => (bytes.includes('r02') ? '' : bytes), end: () => 'end\n' }),
    });
    const run = await runMemoryFan(kind, numbered(6), {
      attribution: 'protocol',
      merge: 'ordered',
      workers: 1,
    });
    expect(run.output).toBe('r04\nr05\nr06\nend\n');
  });

  it('one-to-one: a worker that writes more records than it read stops the run, named', async () => {
    const kind = memoryKind({ program: () => ({ take: (bytes) => bytes, end: () => 'extra\n' }) });
    const run = await runMemoryFan(kind, numbered(3), { attribution: 'one-to-one', workers: 1 });
    expect(run.stderr).toEqual([
      // Named as the instance and the last block it was given: it named neither.
      'manifold: worker 1 (memory 1) wrote more records than it read: its output goes on past block 1 (records 1-3), the last it was given, which --one-to-one forbids\n',
    ]);
    expect(run.end).toEqual({ kind: 'done', status: 1 });
  });
});

describe('the fan engine over in-memory workers: dispatch', () => {
  it('ready: the blocks are shared between idle workers, each record once', async () => {
    const run = await runMemoryFan(memoryKind({ program: tagged }), input, { workers: 3 });
    const slots = new Set(lines(Buffer.from(run.output)).map((line) => line.split(':')[0]));
    expect(slots).toEqual(new Set(['1', '2', '3']));
    expect(sortedLines(run.output.replace(/^\d:/gm, ''))).toEqual(sortedLines(input));
  });

  it('round-robin: block i goes to worker i mod N', async () => {
    const run = await runMemoryFan(memoryKind({ program: tagged }), numbered(12), {
      dispatch: 'round-robin',
      attribution: 'per-block',
      merge: 'ordered',
    });
    expect(run.output).toBe(
      '1:r01\n1:r02\n1:r03\n2:r04\n2:r05\n2:r06\n1:r07\n1:r08\n1:r09\n2:r10\n2:r11\n2:r12\n',
    );
  });

  it('broadcast: every worker gets every block', async () => {
    const run = await runMemoryFan(memoryKind({ program: tagged }), numbered(7), {
      dispatch: 'broadcast',
      workers: 3,
    });
    const want = [1, 2, 3].flatMap((slot) =>
      lines(Buffer.from(numbered(7))).map((line) => `${slot}:${line}`),
    );
    expect(sortedLines(run.output)).toEqual(want.sort());
    expect(run.summary.workers.map((worker) => worker.blocks)).toEqual([3, 3, 3]);
  });

  it('hash: the records of one key all go to one worker, each record once', async () => {
    const keyed = Array.from({ length: 30 }, (_, i) => `k${i % 5}\n`).join('');
    const run = await runMemoryFan(memoryKind({ program: tagged }), keyed, {
      dispatch: 'hash',
      workers: 3,
    });
    const byKey = new Map<string, Set<string>>();
    for (const line of lines(Buffer.from(run.output))) {
      const [slot, key] = line.split(':') as [string, string];
      byKey.set(key, (byKey.get(key) ?? new Set()).add(slot));
    }
    expect([...byKey.values()].every((slots) => slots.size === 1)).toBe(true);
    expect(sortedLines(run.output.replace(/^\d:/gm, ''))).toEqual(sortedLines(keyed));
  });
});

describe('the fan engine over in-memory workers: the sorted merge', () => {
  const shuffled = Array.from(
    { length: 40 },
    (_, i) => `r${String((i * 17) % 40).padStart(2, '0')}\n`,
  ).join('');

  it('merges whole workers whose output is sorted at their end (an aggregate)', async () => {
    const run = await runMemoryFan(memoryKind({ program: sortAtEnd }), shuffled, {
      merge: 'sorted',
      workers: 3,
    });
    expect(run.output).toBe(sortedLines(shuffled).join(''));
  });

  it('merges blocks sorted one by one, per block', async () => {
    const sortEach = () => ({ take: (bytes: Buffer) => lines(bytes).sort().join('') });
    const run = await runMemoryFan(memoryKind({ program: sortEach }), shuffled, {
      merge: 'sorted',
      attribution: 'per-block',
      dispatch: 'round-robin',
    });
    expect(run.output).toBe(sortedLines(shuffled).join(''));
  });
});

describe('the slot each instance serves', () => {
  it('every instance is told its worker number and how many workers there are', async () => {
    const seen: MemoryContext[] = [];
    const kind = memoryKind({
      program: (context) => {
        seen.push(context);
        return { take: () => '' };
      },
    });
    const run = await runMemoryFan(kind, numbered(12), { workers: 3, attribution: 'per-block' });
    expect(run.end).toEqual({ kind: 'done', status: 0 });
    expect(new Set(seen.map(({ slot, workers }) => `${slot}/${workers}`))).toEqual(
      new Set(['1/3', '2/3', '3/3']),
    );
    // Instances of no process: --stats lists no pids nor exits for them.
    expect(run.summary.workers.flatMap((worker) => [...worker.pids, ...worker.exits])).toEqual([]);
  });
});
