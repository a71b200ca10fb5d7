import { BYTE_COUNT_WASM } from './byte-count-wasm.js';

/**
 * Counting the ends of records ended by one byte, many at a time: where a block's records are
 * counted (a file range, for record numbers) and where `--one-to-one` counts a worker's output
 * records to find where a block's output ends. `indexOf` per record end costs ~16-20 ns of
 * call and bookkeeping on short lines, whatever the search; a WebAssembly module compares 64
 * bytes a step with SIMD and counts the equal ones by their mask (byte-count.wat), ~4× less on
 * 1 GiB of 90-byte lines with the copy into its memory included (docs/performance.md,
 * "Counting record ends"). Node has no native count of a byte in a Buffer.
 */

/** Below this many bytes `indexOf` is used: the module's call and copy cost more. */
const SMALL = 1024;
/** The first copy into the module's memory; each next one is twice as large, up to SCRATCH. */
const FIRST_COPY = 4096;
/** The module's memory the bytes are copied into: small enough to stay in the CPU's cache. */
const SCRATCH = 256 * 1024;
/** The module's `want` is an unsigned 32-bit count. */
const MOST = 0x7fffffff;

interface Counter {
  nth(at: number, length: number, byte: number, want: number): number;
  scratch: Uint8Array;
}

/** The module, loaded at the first large count; null where WebAssembly SIMD is not there. */
let counter: Counter | null | undefined;

/** The little of WebAssembly used here (Node's types for it are not in @types/node 20). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

function load(): Counter | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
    const module = new wasm.Module(Buffer.from(BYTE_COUNT_WASM, 'base64'));
    const { exports } = new wasm.Instance(module);
    const memory = exports.memory as WasmMemory;
    memory.grow(SCRATCH / 65536);
    // Taken after the grow, which replaces the memory's ArrayBuffer; it never grows again.
    const scratch = new Uint8Array(memory.buffer, 0, SCRATCH);
    return { nth: exports.nth as Counter['nth'], scratch };
  } catch {
    return null;
  }
}

/**
 * Where the `want`-th byte equal to `byte` in `data` from `from` is (the offset just past it),
 * or, when fewer than `want` are there, -1 minus how many there are. `want` is at least 1
 * (`Infinity` counts them all).
 */
export function nthByte(data: Buffer, from: number, byte: number, want: number): number {
  if (data.length - from < SMALL) return nthByIndexOf(data, from, byte, want);
  if (counter === undefined) counter = load();
  if (counter === null) return nthByIndexOf(data, from, byte, want);
  const { nth, scratch } = counter;
  const base = data.byteOffset;
  let found = 0;
  let size = FIRST_COPY;
  for (let at = from; at < data.length; at += size, size = Math.min(2 * size, SCRATCH)) {
    const n = Math.min(size, data.length - at);
    scratch.set(new Uint8Array(data.buffer, base + at, n));
    const got = nth(0, n, byte, Math.min(want - found, MOST));
    if (got >= 0) return at + got;
    found += -1 - got;
  }
  return -1 - found;
}

/** How many bytes equal to `byte` are in `data`. */
export function countByte(data: Buffer, byte: number): number {
  return -1 - nthByte(data, 0, byte, Number.POSITIVE_INFINITY);
}

function nthByIndexOf(data: Buffer, from: number, byte: number, want: number): number {
  let found = 0;
  for (let at = data.indexOf(byte, from); at >= 0; at = data.indexOf(byte, at + 1)) {
    if (++found >= want) return at + 1;
  }
  return -1 - found;
}
