import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createBoundaryFinder } from '../../filters/framing/boundary.js';
import type { Framing } from '../../filters/index.js';
import { holdsItsSize } from './input-fd.js';

/** Bytes read at a time while the files are read again. */
export const CHUNK = 1 << 20;

/** Records (or bytes) `first` to `last` of one file, numbered in it. */
export interface Span {
  input: string;
  first: number;
  last: number;
}

/**
 * The stream's records `first` to `last` (1-based) by the files where they begin, numbered in
 * each as `sed` numbers its lines: one more than the record ends in that file before it. The
 * files are read again from their start as the one stream the fan read, each end placed in the
 * stream by the finder (which may return it late, in a later read or file: `start:`, `regexp`),
 * the records before `first` only counted. Null where stdin or a file that is not a regular one
 * is among the files read up to the range's last record, or the files end before it.
 */
export function recordSpans(
  first: number,
  last: number,
  files: readonly string[],
  framing: Framing,
): Span[] | null {
  if (framing.kind === 'raw') return null;
  const finder = createBoundaryFinder(framing);
  const lookahead = finder.lookahead ?? 0;
  const keeps = finder.finish !== undefined;
  const placer = new RecordPlacer(first, last);
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (const name of files) {
    // The files after the range are not asked about (stdin may be among them).
    if (placer.done) return placer.spans;
    if (regularSize(name) === null) return null;
    placer.open(name);
    const fd = openSync(name, 'r');
    try {
      for (let read = readSync(fd, chunk, 0, CHUNK, null); read > 0; ) {
        // A finder that is sure of an end only later (`regexp`) keeps the bytes it was given.
        const view = keeps ? Buffer.from(chunk.subarray(0, read)) : chunk.subarray(0, read);
        // An end the finder returns at `end` of this read lies at `base + end` in the stream.
        const base = placer.read(read) - read - lookahead;
        let at = 0;
        const skip = placer.skippable(base);
        if (skip > 0) {
          const { found, end } = finder.advance(view, 0, skip);
          placer.skipped(found);
          at = end;
        }
        for (let end = at < read ? finder.next(view, at) : -1; end >= 0; ) {
          placer.end(base + end);
          if (placer.done) return placer.spans;
          end = end < read ? finder.next(view, end) : -1;
        }
        read = readSync(fd, chunk, 0, CHUNK, null);
      }
    } finally {
      closeSync(fd);
    }
  }
  // The ends a finder is sure of only at the input's end (`regexp`).
  for (const back of finder.finish?.() ?? []) placer.end(placer.bytes - back);
  return placer.done ? placer.spans : null;
}

/**
 * Places the stream's records `first` to `last` in the files, given the record ends in order:
 * a record begins where the one before it ended (the first at the stream's start), in the file
 * holding that byte, once it is read (a record begins only where there are bytes).
 */
class RecordPlacer {
  readonly spans: Span[] = [];
  readonly #first: number;
  readonly #last: number;
  /** The files opened so far, where each begins in the stream, and the bytes read. */
  readonly #files: { name: string; start: number }[] = [];
  #bytes = 0;
  /** Ends seen; the file the last lies in, and its ends up to that one. */
  #ends = 0;
  #endFile = -1;
  #endsInFile = 0;
  /** Where the record after the last end begins, while it is in the range and not yet placed. */
  #pending: number | null;
  /** The last record placed. */
  #placed = 0;

  constructor(first: number, last: number) {
    this.#first = first;
    this.#last = last;
    this.#pending = first <= 1 ? 0 : null;
  }

  get done(): boolean {
    return this.#placed >= this.#last;
  }

  get bytes(): number {
    return this.#bytes;
  }

  open(name: string): void {
    this.#files.push({ name, start: this.#bytes });
  }

  /** `count` more bytes of the last file opened were read: the stream's bytes so far. */
  read(count: number): number {
    this.#bytes += count;
    this.#place();
    return this.#bytes;
  }

  /**
   * How many ends may be counted without placing their records (all before `first`), by the
   * finder's `advance` over a read whose ends lie at `base` or past it: none unless they are
   * all the last file's, `base` past its start.
   */
  skippable(base: number): number {
    const file = this.#files.at(-1)!;
    return base > file.start ? this.#first - 2 - this.#ends : 0;
  }

  /** `count` ends were counted by `skippable`'s leave, all in the last file opened. */
  skipped(count: number): void {
    if (count === 0) return;
    if (this.#endFile !== this.#files.length - 1) {
      this.#endFile = this.#files.length - 1;
      this.#endsInFile = 0;
    }
    this.#endsInFile += count;
    this.#ends += count;
  }

  /** A record ends at `end`, a place in the stream past every end before it. */
  end(end: number): void {
    this.#place();
    while (this.#endFile < 0 || end > this.#fileEnd(this.#endFile)) {
      this.#endFile++;
      this.#endsInFile = 0;
    }
    this.#endsInFile++;
    this.#ends++;
    const record = this.#ends + 1;
    if (record >= this.#first && record <= this.#last) {
      this.#pending = end;
      this.#place();
    }
  }

  #fileEnd(index: number): number {
    return this.#files[index + 1]?.start ?? this.#bytes;
  }

  /** Places the pending record once its first byte was read. */
  #place(): void {
    const at = this.#pending;
    if (at === null || at >= this.#bytes) return;
    this.#pending = null;
    let file = Math.max(this.#endFile, 0);
    while (at >= this.#fileEnd(file)) file++;
    // Begun in the file where the record before it ended: after that file's ends so far.
    const number = file === this.#endFile ? this.#endsInFile + 1 : 1;
    const name = this.#files[file]!.name;
    const span = this.spans.at(-1);
    if (span?.input === name) span.last = number;
    else this.spans.push({ input: name, first: number, last: number });
    this.#placed = this.#ends + 1;
  }
}

/**
 * The size of `name` when it is a regular file whose size is its content (read again the
 * same), else null: not stdin, a pipe or a device, nor a file of /proc or /sys, which claims 0
 * or 4096 bytes whatever it holds (`holdsItsSize`); an empty file only when a read finds it so.
 */
export function regularSize(name: string): number | null {
  if (name === '-') return null;
  // Told without an open: a named pipe's waits for a writer (its own, long gone, wrote the
  // input), on the event loop, and a message waited for ever, deaf to signals.
  const stat = statSync(name, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile()) return null;
  if (holdsItsSize(stat)) return stat.size;
  if (stat.size > 0) return null;
  const fd = openSync(name, 'r');
  try {
    return readSync(fd, Buffer.alloc(1), 0, 1, 0) === 0 ? 0 : null;
  } finally {
    closeSync(fd);
  }
}
