import type { CutCase } from './cut-case.js';

// A reference for the framings the cutting property draws (lines, nul, delim:, lines:<n>,
// start:, between:), written apart from filters/framing: the plainest reading of
// docs/framing.md. Records are ranges of the input, so a block can be checked to end at one.

export interface Rec {
  start: number;
  end: number;
  /** Whether the record ends where the framing ends one (its delimiter, its nth line). */
  complete: boolean;
}

const bytesOfString = (text: string) =>
  Buffer.from(
    text.replace(/\\x([0-9a-f]{2})|\\(.)/gi, (_, hex: string | undefined, c: string) =>
      hex
        ? String.fromCharCode(Number.parseInt(hex, 16))
        : ({ n: '\n', t: '\t', '0': '\0' }[c] ?? c),
    ),
    'latin1',
  );

/** Where each string `s` is found in `data`, left to right, never overlapping. */
function matches(data: Buffer, s: Buffer): number[] {
  const found: number[] = [];
  for (let at = data.indexOf(s); at >= 0; at = data.indexOf(s, at + s.length)) found.push(at);
  return found;
}

/** Records ending at `ends` (each the end of a whole record), and what is left after them. */
function recordsAt(data: Buffer, ends: number[], lastComplete: boolean): Rec[] {
  const records: Rec[] = [];
  let start = 0;
  for (const end of ends) {
    records.push({ start, end, complete: true });
    start = end;
  }
  if (start < data.length) records.push({ start, end: data.length, complete: lastComplete });
  return records;
}

/** The records of `data` in `framing`. */
export function recordsOf(framing: string, data: Buffer): Rec[] {
  if (framing.startsWith('lines:')) {
    const n = Number(framing.slice(6));
    const ends = matches(data, Buffer.from('\n'))
      .filter((_, i) => (i + 1) % n === 0)
      .map((at) => at + 1);
    return recordsAt(data, ends, false);
  }
  if (framing.startsWith('start:')) {
    const ends = matches(data, bytesOfString(framing.slice(6))).filter((at) => at > 0);
    return recordsAt(data, ends, true);
  }
  if (framing.startsWith('between:')) {
    const [end, start] = framing.slice(8).split('|').map(bytesOfString) as [Buffer, Buffer];
    const ends = matches(data, Buffer.concat([end, start])).map((at) => at + end.length);
    return recordsAt(data, ends, true);
  }
  const delimiter =
    framing === 'lines'
      ? Buffer.from('\n')
      : framing === 'nul'
        ? Buffer.from([0])
        : bytesOfString(framing.slice(6));
  const ends = matches(data, delimiter).map((at) => at + delimiter.length);
  return recordsAt(data, ends, false);
}

/** A record's bytes less its delimiter (for framings that keep nothing of one, all of it). */
export function contentOf(framing: string, data: Buffer, r: Rec): Buffer {
  const bytes = data.subarray(r.start, r.end);
  if (!r.complete || framing.startsWith('start:') || framing.startsWith('between:')) return bytes;
  const length = framing.startsWith('delim:') ? bytesOfString(framing.slice(6)).length : 1;
  return bytes.subarray(0, bytes.length - length);
}

/** A record's --group-by key: its bytes up to the first `:` (field:1), or all of them. */
export function keyOf(c: CutCase, content: Buffer): string {
  const colon = content.indexOf(0x3a);
  return (c.groupBy === 'field:1' && colon >= 0 ? content.subarray(0, colon) : content).toString(
    'latin1',
  );
}

/** The input's header (when it has one: its first n records, all of them whole) and body. */
export function headerOf(c: CutCase): { header: Buffer; body: Buffer } {
  const records = recordsOf(c.framing, c.input);
  const last = records[c.header - 1];
  if (c.header === 0 || last === undefined || !last.complete) {
    return { header: Buffer.alloc(0), body: c.input };
  }
  return { header: c.input.subarray(0, last.end), body: c.input.subarray(last.end) };
}
