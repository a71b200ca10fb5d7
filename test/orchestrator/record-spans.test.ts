import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundaryFinder } from '../../filters/framing/boundary.js';
import { REGEXP_REACH } from '../../filters/framing/regexp.js';
import { parseCutting } from '../../filters/framing/spec.js';
import { rangeInFiles } from '../../orchestrator/fan/input-places.js';
import { tempDir } from '../support/temp.js';

// Several --input files are one stream; a record is named in the file where it begins, by one
// more than the record ends in that file before it. Each framing's finder, those that return an
// end late (start:, between:) or only at the input's end (regexp) included, checked against the
// records the decoder cuts from the whole stream.

/**
 * Each record of the stream of `contents` as its file and number there, by the framing's finder
 * over the whole stream in one read.
 */
function referencePlaces(contents: string[], framing: string): { input: number; n: number }[] {
  const whole = Buffer.from(contents.join(''), 'latin1');
  const finder = createBoundaryFinder(parseCutting(framing));
  const records: number[] = [];
  let from = 0;
  for (let end = finder.next(whole, 0); end >= 0; end = finder.next(whole, end)) {
    records.push(end - (finder.lookahead ?? 0) - from);
    from += records.at(-1)!;
  }
  for (const back of finder.finish?.() ?? []) {
    records.push(whole.length - back - from);
    from += records.at(-1)!;
  }
  if (from < whole.length) records.push(whole.length - from);
  const starts = contents.map((_, i) => contents.slice(0, i).join('').length);
  // The record ends in each file so far (an end lies in the file holding the byte before it).
  const ends = contents.map(() => 0);
  const places: { input: number; n: number }[] = [];
  let at = 0;
  for (const record of records) {
    // The file holding the record's first byte (empty files hold none).
    const input = starts.findLastIndex((start, i) => start <= at && contents[i]!.length > 0);
    places.push({ input, n: 1 + ends[input]! });
    at += record;
    ends[starts.findLastIndex((start) => start < at)]! += 1;
  }
  expect(at).toBe(contents.join('').length);
  return places;
}

/** The range named as the reference places its records: `a:1-2, b:1`, or past 3 files `a:1 to d:2, 4 files`. */
function referenceRange(places: { input: string; n: number }[], first: number, last: number) {
  const spans: { input: string; first: number; last: number }[] = [];
  for (const { input, n } of places.slice(first - 1, last)) {
    const span = spans.at(-1);
    if (span?.input === input) span.last = n;
    else spans.push({ input, first: n, last: n });
  }
  const name = ({ input, first, last }: (typeof spans)[0]) =>
    `${input}:${first === last ? first : `${first}-${last}`}`;
  if (spans.length <= 3) return spans.map(name).join(', ');
  return `${name(spans[0]!)} to ${name(spans.at(-1)!)}, ${spans.length} files`;
}

const FRAMINGS = [
  'lines',
  'delim:;;',
  'start:>',
  'between:;|>',
  'start-re:>',
  'delim-re:;+\\n',
  'between-re:;|>',
];

function check(contents: string[], framing: string, first: number, last: number): void {
  const dir = tempDir();
  const files = contents.map((content, i) => {
    const name = join(dir, `f${i}`);
    writeFileSync(name, content, 'latin1');
    return name;
  });
  const places = referencePlaces(contents, framing).map(({ input, n }) => ({
    input: files[input]!,
    n,
  }));
  const expected = last <= places.length ? referenceRange(places, first, last) : null;
  const got = rangeInFiles('record', first, last, files, parseCutting(framing));
  expect(got, `${framing} ${first}-${last}`).toBe(expected);
}

describe('a range of records named in the files where they begin', () => {
  it("as the framing's finder cuts the whole stream in one read, in every framing", () => {
    const content = fc.string({ unit: fc.constantFrom('a', '\n', ';', '>'), maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(content, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...FRAMINGS),
        fc.nat(8),
        fc.nat(3),
        (contents, framing, from, more) => check(contents, framing, from + 1, from + 1 + more),
      ),
      { numRuns: 300 },
    );
  });

  it('files longer than a read, and than the reach an expression is sure at', () => {
    // Records of 60 bytes; a file of 1 MiB and a bit ends mid-record, the next holds the reach
    // three times.
    const records = (count: number, tail = '') =>
      `${'>abc\n'.padEnd(59, 'x')};`.repeat(count) + tail;
    const contents = [records(17_480, '>half'), records(55_555, 'x'.repeat(20)), records(2)];
    for (const framing of ['start:>', 'between-re:;|>', 'delim-re:;']) {
      // Around the first file's end, the second's, and past the last record.
      for (const [first, last] of [
        [17_478, 17_484],
        [73_032, 73_038],
        [73_038, 73_039],
      ] as const) {
        check(contents, framing, first, last);
      }
    }
    expect(records(55_555).length).toBeGreaterThan(3 * REGEXP_REACH);
  });
});
