import * as zlib from 'node:zlib';

/**
 * CRC-32 (the zlib/PNG polynomial) of a payload that may come in pieces. Node ≥ 20.15 has it in
 * zlib, in C; older Node 20 releases get the table-driven version below, which gives the same
 * numbers (tested against each other).
 */
export function crc32(buffers: readonly Uint8Array[]): number {
  let crc = 0;
  for (const buffer of buffers) crc = update(buffer, crc);
  return crc >>> 0;
}

type Crc32 = (data: Uint8Array, value?: number) => number;

const native = (zlib as { crc32?: Crc32 }).crc32;

const update: Crc32 = native ?? crc32Table;

let table: Int32Array | undefined;

function makeTable(): Int32Array {
  const made = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    made[n] = c;
  }
  return made;
}

/** The table-driven CRC-32, continuing from `value` as zlib's does. */
export function crc32Table(data: Uint8Array, value = 0): number {
  table ??= makeTable();
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
