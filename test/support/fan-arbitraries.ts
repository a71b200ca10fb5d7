import fc from 'fast-check';
import { CRASH, type FanCase } from './fan-case.js';
import { decode, encode, framingOf } from './framing.js';

// Draws of fan cases. Delimiters that overlap themselves (ABA, AA, \r\n\r\n) and record bytes
// equal to their prefixes are drawn often: that is where splitters go wrong.

export const DELIMITED = ['lines', 'nul', 'delim:ABA', 'delim:AA', 'delim:\\r\\n\\r\\n'];

export const framings = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...DELIMITED) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }).map((n) => `fixed:${n}`) },
  { weight: 1, arbitrary: fc.constant('frames') },
);

/** Bytes for records in `framing`: its delimiter's bytes, their neighbours, any but 0xFE. */
function bytesFor(framing: string): fc.Arbitrary<number> {
  const framed = framingOf(framing);
  const delimiter = framed.kind === 'delim' ? [...framed.delimiter] : [];
  const near = [...delimiter, 0x41, 0x42, 0x0d, 0x0a, 0x00, 0xff, 0x78];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...near) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }).filter((b) => b !== CRASH) },
  );
}

const recordsFor = (bytes: fc.Arbitrary<number>, minLength: number) =>
  fc.array(
    fc.array(bytes, { maxLength: 10 }).map((record) => Buffer.from(record)),
    { minLength, maxLength: 24 },
  );

/** Block sizes from 1 byte up: mostly smaller than a few records, sometimes bigger than all. */
export const blocks = fc.oneof(
  fc.integer({ min: 1, max: 16 }),
  fc.integer({ min: 17, max: 300 }),
  fc.constant(65536),
);

/**
 * Where stdin's writes are cut: a run of close cuts from some offset, so that a delimiter or
 * a frame header often spans three reads or more.
 */
const cuts = fc
  .tuple(
    fc.nat({ max: 80 }),
    fc.array(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 })), { maxLength: 10 }),
  )
  .map(([start, gaps]) => gaps.map((_, i) => start + gaps.slice(0, i + 1).reduce((a, b) => a + b)));

/** A cut at every byte of a window: whatever sits there spans as many reads as it has bytes. */
export const everyByte = fc
  .tuple(fc.nat({ max: 40 }), fc.integer({ min: 2, max: 12 }))
  .map(([start, length]) => Array.from({ length }, (_, i) => start + i + 1));

export interface Draw {
  framings?: fc.Arbitrary<string>;
  /** The bytes of records (default: the framing's delimiter bytes, their neighbours, any). */
  bytes?: fc.Arbitrary<number>;
  blocks?: fc.Arbitrary<number>;
  cuts?: fc.Arbitrary<number[]>;
  minRecords?: number;
  workers?: fc.Arbitrary<number>;
  dispatch?: fc.Arbitrary<FanCase['dispatch']>;
  merge?: fc.Arbitrary<FanCase['merge']>;
  attribution?: fc.Arbitrary<FanCase['attribution']>;
  retries?: fc.Arbitrary<number>;
  halt?: fc.Arbitrary<FanCase['halt']>;
  crash?: boolean;
  failAtEnd?: boolean;
  outPiece?: fc.Arbitrary<number>;
}

/** Puts the crash byte into record `at` (modulo), at position `pos` (modulo). */
function withCrash(records: Buffer[], at: number, pos: number): Buffer[] {
  if (records.length === 0) return records;
  const i = at % records.length;
  const record = records[i]!;
  const cut = pos % (record.length + 1);
  const marked = Buffer.concat([
    record.subarray(0, cut),
    Buffer.from([CRASH]),
    record.subarray(cut),
  ]);
  return records.map((r, j) => (j === i ? marked : r));
}

/**
 * Combinations manifold refuses up front are drawn as their nearest accepted one: ordered
 * needs whole blocks (not hash or broadcast); the sorted merge runs `sort`, so needs lines or
 * NUL and a worker that is not persistent-with-attribution, and cannot crash; retries under hash
 * or broadcast need workers tied to blocks said (a worker per block is not chosen for them).
 */
function accepted(c: FanCase): FanCase {
  let { merge, attribution } = c;
  if (merge === 'ordered' && (c.dispatch === 'hash' || c.dispatch === 'broadcast')) merge = 'ready';
  if (merge === 'sorted' && (!['lines', 'nul'].includes(c.framing) || c.crash || c.failAtEnd)) {
    merge = 'ready';
  }
  if (merge === 'sorted' && (attribution === 'one-to-one' || attribution === 'protocol')) {
    attribution = 'none';
  }
  if (c.failAtEnd && attribution === 'protocol') attribution = 'none';
  const shares = c.dispatch === 'hash' || c.dispatch === 'broadcast';
  if (shares && c.retries > 0 && attribution === 'none') attribution = 'per-block';
  return closed({ ...c, merge, attribution });
}

/**
 * The case without a last record that no output could hold where a merge may put it: a short
 * fixed-size record copied by broadcast, or a last record that would not read as itself once a
 * delimiter follows it: a
 * record ending in part of a delimiter that overlaps itself ("\r\n" before "\r\n\r\n"). No
 * output can hold such a record, undelimited, anywhere but last, and a merge may put it
 * anywhere; the records before it are kept, delimited.
 */
function closed(c: FanCase): FanCase {
  const framed = framingOf(c.framing);
  if (framed.kind === 'fixed') {
    // A short fixed-size record can only end the output: under broadcast each worker writes
    // one, and only one copy can be last (docs/framing.md).
    const input = Buffer.concat(c.records);
    const whole = input.length - (input.length % framed.size);
    if (whole === input.length || c.dispatch !== 'broadcast' || c.workers === 1) return c;
    const records: Buffer[] = [];
    for (let at = 0; at < whole; at += framed.size) {
      records.push(input.subarray(at, at + framed.size));
    }
    return { ...c, records };
  }
  if (framed.kind !== 'delim') return c;
  const input = encode(framed, c.records, c.finalDelimiter);
  const records = decode(framed, input);
  const last = records.at(-1);
  // The last record read is delimited when the records, delimited, give the input back.
  if (last === undefined || encode(framed, records, true).equals(input)) return c;
  const read = decode(framed, Buffer.concat([last, framed.delimiter]));
  if (read.length === 1 && read[0]!.equals(last)) return c;
  return { ...c, records: records.slice(0, -1), finalDelimiter: true };
}

export function fanCases(draw: Draw = {}): fc.Arbitrary<FanCase> {
  return (draw.framings ?? framings).chain((framing) =>
    fc
      .record({
        records: recordsFor(draw.bytes ?? bytesFor(framing), draw.minRecords ?? 0),
        crashAt: fc.nat(),
        crashPos: fc.nat(),
        finalDelimiter: fc.boolean(),
        cuts: draw.cuts ?? cuts,
        block: draw.blocks ?? blocks,
        workers: draw.workers ?? fc.integer({ min: 1, max: 3 }),
        dispatch: draw.dispatch ?? fc.constantFrom('ready', 'round-robin', 'hash', 'broadcast'),
        merge: draw.merge ?? fc.constantFrom('ready', 'ordered', 'sorted'),
        attribution:
          draw.attribution ?? fc.constantFrom('none', 'per-block', 'one-to-one', 'protocol'),
        retries: draw.retries ?? fc.constant(0),
        halt: draw.halt ?? fc.constant('now'),
        outPiece: draw.outPiece ?? fc.constantFrom(0, 0, 1, 3),
      })
      .map(({ records, crashAt, crashPos, ...rest }) =>
        accepted({
          ...rest,
          framing,
          records: draw.crash ? withCrash(records, crashAt, crashPos) : records,
          crash: draw.crash ?? false,
          failAtEnd: draw.failAtEnd ?? false,
        }),
      ),
  );
}
