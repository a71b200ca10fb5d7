import fc from 'fast-check';
import { describe, it } from 'vitest';
import { everyByte, fanCases } from '../support/fan-arbitraries.js';
import type { FanCase } from '../support/fan-case.js';
import { bytesProblems, problemsOf } from '../support/fan-check.js';
import { assertFanProperty, type PropertyOptions, propertyTimeout } from '../support/property.js';

// Randomized runs of the built manifold, as real processes fed through read cuts: every input
// record comes out exactly once, whole, in order where asked, whatever the framing, block
// size, dispatch, merge, attribution, retries and crash point. Seeded (MANIFOLD_SEED); a
// failure prints the seed and the smallest failing case as a shell command. Runs are few (each
// starts manifold and its workers: CI's time), and all of them run, however slow the machine;
// MANIFOLD_RUNS=10 draws ten times as many.

// Issue 10, item 3: `(printf xxxxA; sleep .3; printf B; sleep .3; printf ABABB; sleep .3;
// printf ABAtail) | manifold fan -j1 --block 8 --split delim:ABA ...` read <BA>ABA<BB>.
const issue10Item3: FanCase = {
  framing: 'delim:ABA',
  records: ['xxxx', 'BABB', 'tail'].map((record) => Buffer.from(record)),
  finalDelimiter: false,
  cuts: [5, 6, 11],
  block: 8,
  workers: 1,
  dispatch: 'ready',
  merge: 'ordered',
  attribution: 'protocol',
  retries: 0,
  halt: 'now',
  crash: false,
  failAtEnd: false,
  outPiece: 0,
};

// Issue 10, item 4: `seq 1 10 | manifold fan -j1 --halt never -- false` looped for ever.
const issue10Item4: FanCase = {
  ...issue10Item3,
  framing: 'lines',
  records: ['1', '2', '3'].map((record) => Buffer.from(record)),
  finalDelimiter: true,
  cuts: [],
  attribution: 'none',
  merge: 'ready',
  halt: 'never',
  failAtEnd: true,
};

/** A property: its test's name, its label in failure reports, its cases, what they must give. */
interface Property {
  name: string;
  label: string;
  cases: fc.Arbitrary<FanCase>;
  check: typeof problemsOf;
  options: PropertyOptions;
}

const properties: Property[] = [
  {
    name: 'splits every framing at any read cut and block size into the same records, in order',
    label: 'splitter',
    cases: fanCases({
      workers: fc.integer({ min: 1, max: 2 }),
      dispatch: fc.constantFrom('ready', 'round-robin'),
      merge: fc.constant('ordered'),
      attribution: fc.constantFrom('protocol', 'one-to-one'),
      outPiece: fc.constant(0),
    }),
    check: problemsOf,
    options: {
      offset: 1,
      numRuns: 8,
      timeLimitMs: 8_000,
    },
  },
  {
    name: 'finds delimiters that overlap themselves when they span three reads or more',
    label: 'overlapping delimiters',
    cases: fanCases({
      framings: fc.constantFrom('delim:ABA', 'delim:AA'),
      // Only bytes of the delimiters and one other: false starts everywhere.
      bytes: fc.constantFrom(0x41, 0x42, 0x78),
      cuts: everyByte,
      blocks: fc.integer({ min: 1, max: 16 }),
      workers: fc.constant(1),
      dispatch: fc.constant('ready'),
      merge: fc.constant('ordered'),
      attribution: fc.constant('protocol'),
      outPiece: fc.constant(0),
    }),
    check: problemsOf,
    options: {
      offset: 10,
      numRuns: 8,
      timeLimitMs: 7_000,
      examples: [issue10Item3],
    },
  },
  {
    name: 'gives every record exactly once, whole (N times under broadcast), in order when asked',
    label: 'modes',
    cases: fanCases({
      merge: fc.constantFrom('ready', 'ordered'),
      retries: fc.constantFrom(0, 0, 1),
    }),
    check: problemsOf,
    options: {
      offset: 2,
      numRuns: 10,
      timeLimitMs: 10_000,
    },
  },
  {
    name: '--merge sorted gives every record once, sorted, with per-block workers and retries too',
    label: 'sorted',
    cases: fanCases({
      framings: fc.constantFrom('lines', 'nul'),
      merge: fc.constant('sorted'),
      attribution: fc.constantFrom('none', 'per-block'),
      retries: fc.constantFrom(0, 1),
    }),
    check: problemsOf,
    options: {
      offset: 8,
      numRuns: 6,
      timeLimitMs: 5_000,
    },
  },
  {
    name: 'with retries, a worker crashing once at any record loses and repeats nothing',
    label: 'crash with retries',
    cases: fanCases({
      crash: true,
      minRecords: 1,
      attribution: fc.constantFrom('none', 'per-block', 'protocol'),
      retries: fc.integer({ min: 1, max: 2 }),
    }),
    check: problemsOf,
    options: {
      offset: 3,
      numRuns: 8,
      timeLimitMs: 7_000,
    },
  },
  {
    name: 'with retries, a --one-to-one worker crashing once inside a record loses and repeats nothing',
    label: 'one-to-one crash with retries',
    cases: fanCases({
      crash: true,
      minRecords: 1,
      attribution: fc.constant('one-to-one'),
      retries: fc.integer({ min: 1, max: 2 }),
    }),
    check: problemsOf,
    options: {
      offset: 9,
      numRuns: 5,
      timeLimitMs: 5_000,
    },
  },
  {
    name: 'without retries, a crash exits 1 with one line, writing only whole records (a clean prefix when ordered)',
    label: 'crash without retries',
    cases: fanCases({ crash: true, minRecords: 1 }),
    check: problemsOf,
    options: {
      offset: 4,
      numRuns: 6,
      timeLimitMs: 5_000,
    },
  },
  {
    name: 'a worker that always fails at the end of its input ends the run with exit 1, under --halt now or never',
    label: 'failing at the end',
    cases: fanCases({
      framings: fc.constant('lines'),
      minRecords: 1,
      failAtEnd: true,
      retries: fc.constantFrom(0, 1),
      halt: fc.constantFrom('now', 'never'),
    }).map(
      (c): FanCase => ({ ...c, finalDelimiter: true, records: [Buffer.from('x'), ...c.records] }),
    ),
    check: problemsOf,
    options: {
      offset: 5,
      numRuns: 4,
      timeLimitMs: 5_000,
      hangMs: 6_000,
      examples: [issue10Item4],
    },
  },
  {
    name: '--merge ordered with cat gives the input back byte for byte',
    label: 'byte for byte',
    cases: fanCases({
      merge: fc.constant('ordered'),
      dispatch: fc.constantFrom('ready', 'round-robin'),
      attribution: fc.constantFrom('none', 'per-block', 'one-to-one'),
    }),
    check: bytesProblems,
    options: {
      offset: 6,
      numRuns: 6,
      timeLimitMs: 5_000,
    },
  },
  {
    name: 'small blocks over a few hundred KB never hang persistent workers',
    label: 'volume',
    cases: fc
      .record({
        count: fc.integer({ min: 40_000, max: 60_000 }),
        block: fc.integer({ min: 100, max: 700 }),
        dispatch: fc.constantFrom('ready' as const, 'round-robin' as const),
      })
      .map(
        ({ count, ...rest }): FanCase => ({
          ...rest,
          framing: 'lines',
          merge: 'ready',
          attribution: 'none',
          records: Array.from({ length: count }, (_, i) => Buffer.from(`line ${i}`)),
          finalDelimiter: true,
          cuts: [],
          workers: 2,
          retries: 0,
          halt: 'now',
          crash: false,
          failAtEnd: false,
          outPiece: 0,
        }),
      ),
    check: problemsOf,
    options: {
      offset: 7,
      numRuns: 2,
      timeLimitMs: 6_000,
    },
  },
];

describe('fan properties', () => {
  for (const { name, label, cases, check, options } of properties) {
    it(name, () => assertFanProperty(label, cases, check, options), propertyTimeout(options));
  }
});
