import type { Readable, Writable } from 'node:stream';

/** A line longer than this, still without its newline, is passed on in pieces as it comes. */
export const MAX_LINE_PIECE = 64 * 1024;
/** Held stderr (`held`) past this much goes on: a worker is not kept from writing for it. */
const MAX_HELD = 64 * 1024;

const NEWLINE = 0x0a;

/**
 * Copies a worker's stderr to `target` (manifold's stderr) with `prefix` before each line, the
 * bytes as they are. Each read is searched once, from its own start, and the bytes of a line not
 * yet ended wait in a list: the work is linear in the bytes, however long a line. A line that
 * grows past `maxPiece` is written in pieces, the prefix before the first only; another worker's
 * line may then come between two pieces. While `target` is full, `source` is paused, so a stalled
 * reader of manifold's stderr stops the worker's writes instead of filling manifold's memory.
 * `release` ends that for a worker being stopped: what it has left is read (at most a pipe's
 * buffer, once it is dead), so that its end can be seen.
 */
export function prefixLines(
  source: Readable,
  prefix: string,
  target: Writable = process.stderr,
  maxPiece = MAX_LINE_PIECE,
  held = false,
): { release(): void; open(): void } {
  const head = Buffer.from(prefix);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Whether the line being read has had nothing written yet, so its first bytes need the prefix.
  let lineStart = true;
  let waiting = false;
  let released = false;
  let holding = held;
  let kept: Buffer[] = [];
  let keptBytes = 0;
  const resume = () => {
    target.off('drain', resume);
    target.off('close', resume);
    waiting = false;
    source.resume();
  };

  const write = (parts: Buffer[]) => {
    if (parts.length === 0 || target.destroyed) return;
    if (holding) {
      for (const part of parts) keptBytes += part.length;
      kept.push(...parts);
      if (keptBytes > MAX_HELD) open();
      return;
    }
    if (target.write(Buffer.concat(parts)) || waiting || released) return;
    waiting = true;
    source.pause();
    target.on('drain', resume);
    // A closed stderr never drains: the worker's stderr is then read and dropped.
    target.on('close', resume);
  };
  const takeLine = (out: Buffer[]) => {
    if (lineStart) out.push(head);
    for (const part of pending) out.push(part);
    pending = [];
    pendingBytes = 0;
  };

  source.on('data', (chunk: Buffer) => {
    const out: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end >= 0; end = chunk.indexOf(NEWLINE, start)) {
      takeLine(out);
      out.push(chunk.subarray(start, end + 1));
      lineStart = true;
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes >= maxPiece) {
        takeLine(out);
        lineStart = false;
      }
    }
    write(out);
  });
  source.on('end', () => {
    // A last line without its newline gets one, so the next line on stderr starts clean.
    if (pendingBytes === 0 && lineStart) return;
    const out: Buffer[] = [];
    takeLine(out);
    out.push(Buffer.from('\n'));
    write(out);
  });
  function open(): void {
    if (!holding) return;
    holding = false;
    const parts = kept;
    kept = [];
    keptBytes = 0;
    write(parts);
  }
  return {
    open,
    release() {
      released = true;
      if (waiting) resume();
    },
  };
}
