// A reference for the framings, written apart from filters/framing so that a test does not
// check the splitter against itself: the plainest reading of docs/framing.md.

export type Framing =
  | { kind: 'delim'; name: string; delimiter: Buffer }
  | { kind: 'fixed'; name: string; size: number }
  | { kind: 'frames'; name: string };

/** A framing by its command-line name: lines, nul, delim:<string>, fixed:<bytes>, frames. */
export function framingOf(name: string): Framing {
  if (name === 'lines') return { kind: 'delim', name, delimiter: Buffer.from('\n') };
  if (name === 'nul') return { kind: 'delim', name, delimiter: Buffer.from([0]) };
  if (name === 'frames') return { kind: 'frames', name };
  if (name.startsWith('fixed:')) return { kind: 'fixed', name, size: Number(name.slice(6)) };
  if (name.startsWith('delim:')) {
    const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' };
    const text = name.slice(6).replace(/\\(.)/g, (_, c: string) => escapes[c] ?? `\\${c}`);
    return { kind: 'delim', name, delimiter: Buffer.from(text, 'latin1') };
  }
  throw new Error(`no reference for framing ${name}`);
}

/** The bytes of `records`; `finalDelimiter: false` leaves the last delimiter off. */
export function encode(framing: Framing, records: Buffer[], finalDelimiter = true): Buffer {
  if (framing.kind === 'fixed') return Buffer.concat(records);
  if (framing.kind === 'frames') {
    return Buffer.concat(
      records.flatMap((record) => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(record.length);
        return [header, record];
      }),
    );
  }
  const parts = records.flatMap((record) => [record, framing.delimiter]);
  if (!finalDelimiter && parts.length > 0) parts.pop();
  return Buffer.concat(parts);
}

/**
 * The records of `data`: a delimiter is the leftmost match from where the last one ended; a
 * final record without its delimiter is a record; a short final fixed record is kept.
 */
export function decode(framing: Framing, data: Buffer): Buffer[] {
  const records: Buffer[] = [];
  if (framing.kind === 'fixed') {
    for (let at = 0; at < data.length; at += framing.size) {
      records.push(data.subarray(at, at + framing.size));
    }
    return records;
  }
  if (framing.kind === 'frames') {
    let at = 0;
    while (at + 4 <= data.length) {
      const length = data.readUInt32BE(at);
      if (at + 4 + length > data.length) break;
      records.push(data.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    if (at !== data.length) records.push(Buffer.from(`<${data.length - at} bytes left over>`));
    return records;
  }
  let at = 0;
  for (;;) {
    const found = data.indexOf(framing.delimiter, at);
    if (found < 0) break;
    records.push(data.subarray(at, found));
    at = found + framing.delimiter.length;
  }
  if (at < data.length) records.push(data.subarray(at));
  return records;
}

/** Payloads as frames: a 4-byte big-endian length before each (strings as latin1). */
export const framed = (payloads: (Buffer | string)[]) =>
  encode(
    framingOf('frames'),
    payloads.map((payload) =>
      typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload,
    ),
  );

/** The payloads of frames, as latin1 strings. */
export const unframed = (data: Buffer) =>
  decode(framingOf('frames'), data).map((payload) => payload.toString('latin1'));
