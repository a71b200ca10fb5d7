import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RunHeap } from '../../orchestrator/fan/heap.js';
import { HeldRuns } from '../../orchestrator/fan/held-runs.js';
import { compareBytes } from '../../orchestrator/fan/order.js';
import type { Run } from '../../orchestrator/fan/run.js';
import { Slice } from '../../orchestrator/fan/slice.js';

// The sorted merge's held runs (fan/held-runs.ts, run.ts, spill.ts): records kept as places in
// the chunks they came in, spilled past a bound to files that are merged in tiers, and read back
// a chunk at a time. Whatever the bound and the order runs end in, the merge must give every
// record once, sorted, ties in the order of their runs, each with the slot of its worker; and
// so it must when records come and runs end while a spill merges, a slice at a time.

/** A record's key: its first byte; the rest tells ties apart. */
const byFirstByte = (a: Buffer, b: Buffer) => compareBytes(a.subarray(0, 1), b.subarray(0, 1));

interface Input {
  /** Each run's records, sorted by the key, and how many come in each add. */
  runs: { records: Buffer[]; adds: number[] }[];
  bound: number;
  /** Whether the event loop runs after each add (a spill's slices go on meanwhile), in turn. */
  waits: boolean[];
}

const record = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 40 }))
  .map(([key, rest]) => Buffer.concat([Buffer.of(key), rest]));

const input: fc.Arbitrary<Input> = fc.record({
  runs: fc.array(
    fc.record({
      records: fc.array(record, { maxLength: 60 }).map((list) => list.sort(byFirstByte)),
      adds: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
    }),
    { minLength: 1, maxLength: 40 },
  ),
  bound: fc.integer({ min: 0, max: 600 }),
  waits: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
});

/**
 * Adds each run's records in pieces, the runs taking turns (each piece in a chunk of its own,
 * records side by side with a byte between them, as a decoder leaves them), each run closed
 * after its last piece, the event loop run between some (a spill's merge goes on, in slices of
 * a few records); then merges them all as the sorted collector's finish does.
 */
async function merge({ runs, bound, waits }: Input): Promise<string[]> {
  const held = new HeldRuns(byFirstByte, bound, undefined, undefined, new Slice(0, 3));
  let adds = 0;
  const open = runs.map((spec, i) => ({ spec, run: held.create(i, i % 5), next: 0, add: 0 }));
  while (open.length > 0) {
    for (let i = 0; i < open.length; ) {
      const state = open[i]!;
      const count = state.spec.adds[state.add++ % state.spec.adds.length]!;
      const piece = state.spec.records.slice(state.next, state.next + count);
      state.next += piece.length;
      held.add(state.run, inOneChunk(piece));
      if (waits[adds++ % waits.length]) await new Promise((resolve) => setImmediate(resolve));
      if (state.next >= state.spec.records.length) {
        state.run.closed = true;
        open.splice(i, 1);
      } else i++;
    }
  }
  await held.settled();
  await held.limitFiles();
  const out: string[] = [];
  const heap = new RunHeap(held.runs, held.before);
  while (heap.size > 0) {
    const run: Run = heap.top();
    out.push(`${run.headSlot()}:${run.headRecord().toString('hex')}`);
    held.shift(run);
    heap.settle();
  }
  held.dropAll();
  return out;
}

/** Views of `records` in one chunk, a newline after each. */
function inOneChunk(records: Buffer[]): Buffer[] {
  const chunk = Buffer.concat(records.flatMap((r) => [r, Buffer.of(10)]));
  const views: Buffer[] = [];
  let at = 0;
  for (const r of records) {
    views.push(chunk.subarray(at, at + r.length));
    at += r.length + 1;
  }
  return views;
}

/** A stable sort of every run's records by the key, ties in the order of the runs. */
function expected({ runs }: Input): string[] {
  const all = runs.flatMap((spec, i) => spec.records.map((r) => ({ r, slot: i % 5 })));
  return all
    .sort((a, b) => byFirstByte(a.r, b.r))
    .map(({ r, slot }) => `${slot}:${r.toString('hex')}`);
}

describe('the sorted merge holds runs in memory and in spill files', () => {
  it('gives every record once, sorted, ties in run order, each with its slot', async () => {
    await fc.assert(
      fc.asyncProperty(input, async (case_) => {
        expect(await merge(case_)).toEqual(expected(case_));
      }),
      { numRuns: 300 },
    );
  });

  it('records larger than a spill batch and a read chunk come back whole', async () => {
    const big = (key: number, size: number) => Buffer.alloc(size, key + 65);
    const case_: Input = {
      runs: [
        { records: [big(0, 10), big(1, 1_500_000), big(2, 70_000)], adds: [1] },
        { records: [big(0, 80_000), big(1, 3), big(3, 2_000_000)], adds: [2] },
        { records: [Buffer.alloc(0), big(2, 5)], adds: [1] },
      ],
      bound: 1000,
      waits: [true, false],
    };
    expect(await merge(case_)).toEqual(expected(case_));
  });
});
