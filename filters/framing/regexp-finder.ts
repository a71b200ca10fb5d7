import { advanceByNext, lastByNext } from './advance.js';
import type { BoundaryFinder } from './boundary.js';
import { compileCut, REGEXP_REACH, type RegexpFraming } from './regexp.js';

/**
 * Records cut by regular expressions (`start-re:`, `delim-re:`, `between-re:`), where parallel
 * `--pipe --regexp -N1` cuts them: a record begins with the start expression's match (or is the
 * bytes before the first, when the input does not begin with one), and ends at the first place
 * after that match where the end expression matches with the start expression right after it.
 *
 * A match near the end of what was read could still grow, or another begin before it, once more
 * is read: a cut is sure only once `REGEXP_REACH` bytes past it were read (or the input ended).
 * So the bytes are searched again only every `REGEXP_REACH` new bytes, not each read, each search
 * from where the last sure cut left off: every byte is searched about twice. Ends are returned
 * `lookahead` (twice the reach) bytes late, a constant the callers subtract as they do for
 * `start:`, which is always after the search that made them sure; `finish` gives the ends left
 * at the input's end.
 */
export class RegexpFinder implements BoundaryFinder {
  readonly lookahead: number;
  /** How far past a cut it is sure: `REGEXP_REACH`, less in tests that look at every read. */
  readonly #reach: number;
  readonly #cut: RegExp;
  readonly #start: RegExp;
  /** Bytes from `#heldFrom` to `#taken` (offsets in the whole input), kept for the search. */
  #held: Buffer[] = [];
  #heldFrom = 0;
  #taken = 0;
  /** How far the caller has scanned, and where the last search ended. */
  #scanned = 0;
  #searched = 0;
  /** Where the next search begins; -1 until the input's first bytes were looked at. */
  #searchFrom = -1;
  /**
   * Sure cuts, in order, those from `#head` not yet returned (a search may make a MiB's worth
   * sure at once: taken by an index, not `shift`, which copies them all), and the last cut made
   * sure. Each cut's delimiter: the end expression's match under `delim-re:`, else 0.
   */
  #sure: number[] = [];
  #delimiters: number[] = [];
  #head = 0;
  /** The ends the last `next` or `finish` returned, and their delimiters. */
  #given: { end: number; delimiter: number }[] = [];
  #givenAt = 0;
  /** Whether the end expression's match is a delimiter, not counted in a record's size. */
  readonly #delimited: boolean;
  #lastCut = 0;
  #lastGiven = 0;

  constructor(framing: RegexpFraming, reach = REGEXP_REACH) {
    this.#reach = reach;
    this.lookahead = 2 * reach;
    const { cut, start } = compileCut(framing);
    this.#cut = cut;
    this.#start = start;
    this.#delimited = framing.start === '';
  }

  get midRecord(): boolean {
    return this.#taken > this.#lastGiven;
  }

  next(chunk: Buffer, from: number): number {
    this.#give([]);
    // Bytes of this chunk past `from` that an earlier call (which returned an end in it) took.
    const before = this.#taken - this.#scanned;
    if (chunk.length - from > before) {
      this.#held.push(chunk.subarray(from + before));
      this.#taken += chunk.length - from - before;
    }
    if (this.#taken - this.#searched >= this.#reach) this.#search(false);
    const cut = this.#sure[this.#head];
    const reach = this.#scanned + chunk.length - from;
    if (cut !== undefined && cut + this.lookahead <= reach) {
      this.#give([{ end: cut, delimiter: this.#delimiters[this.#head]! }]);
      if (++this.#head === this.#sure.length) this.#clearSure();
      const end = from + cut + this.lookahead - this.#scanned;
      this.#scanned = cut + this.lookahead;
      this.#lastGiven = cut;
      return end;
    }
    this.#scanned = reach;
    return -1;
  }

  advance(chunk: Buffer, from: number, want: number): { found: number; end: number } {
    return advanceByNext(this, chunk, from, want);
  }

  last(chunk: Buffer, from: number): number {
    return lastByNext(this, chunk, from);
  }

  /**
   * The input has ended: the ends not returned yet, each as how many bytes before the input's
   * end it lies, in order.
   */
  finish(): number[] {
    this.#search(true);
    const sure = this.#sure.slice(this.#head);
    const left = sure.map((cut) => this.#taken - cut);
    this.#give(sure.map((end, i) => ({ end, delimiter: this.#delimiters[this.#head + i]! })));
    this.#lastGiven = sure.at(-1) ?? this.#lastGiven;
    this.#clearSure();
    return left;
  }

  #clearSure(): void {
    this.#sure = [];
    this.#delimiters = [];
    this.#head = 0;
  }

  /** Asked in order: each from where the last was found. */
  delimiterBefore(end: number): number {
    const given = this.#given;
    while (this.#givenAt < given.length && given[this.#givenAt]!.end < end) this.#givenAt++;
    const found = given[this.#givenAt];
    return found?.end === end ? found.delimiter : 0;
  }

  #give(ends: { end: number; delimiter: number }[]): void {
    this.#given = ends;
    this.#givenAt = 0;
  }

  /** Finds the cuts made sure by the bytes taken so far (all of them at the input's end). */
  #search(atEnd: boolean): void {
    const taken = this.#taken;
    const sureTo = atEnd ? taken : taken - this.#reach;
    const base = this.#heldFrom;
    const text = Buffer.concat(this.#held).toString('latin1');
    this.#held = [];
    this.#searched = taken;
    if (this.#searchFrom < 0) {
      if (!atEnd && sureTo < 0) {
        this.#keep(text, base);
        return;
      }
      // A record begins with the start expression's match: the search for its end goes on after.
      this.#start.lastIndex = 0;
      this.#searchFrom = this.#start.exec(text)?.[0].length ?? 0;
    }
    const cut = this.#cut;
    for (;;) {
      cut.lastIndex = this.#searchFrom - base;
      const match = cut.exec(text);
      if (match === null) {
        this.#searchFrom = Math.max(this.#searchFrom, sureTo);
        break;
      }
      const at = base + match.index;
      const end = at + match[0].length;
      if (end > sureTo) {
        this.#searchFrom = Math.max(this.#searchFrom, Math.min(at, sureTo));
        break;
      }
      // A cut where the last one was would make a record of no bytes, and one found only now
      // behind what the caller has scanned came from past the reach: look again after it.
      if (end === this.#lastCut || end + this.lookahead < this.#scanned) {
        this.#searchFrom = at + 1;
        continue;
      }
      this.#sure.push(end);
      this.#delimiters.push(this.#delimited ? match[0].length : 0);
      this.#lastCut = end;
      this.#start.lastIndex = end - base;
      this.#searchFrom = end + (this.#start.exec(text)?.[0].length ?? 0);
    }
    this.#keep(text, base);
  }

  /** Keeps the bytes a later search reads: from the reach before where it begins. */
  #keep(text: string, base: number): void {
    const from = Math.max(base, Math.max(this.#searchFrom, 0) - this.#reach);
    this.#heldFrom = from;
    this.#held = [Buffer.from(text.slice(from - base), 'latin1')];
  }
}
