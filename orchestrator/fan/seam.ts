import { countByte } from '../../filters/framing/byte-count.js';
import { recordDelimiter } from '../../filters/framing/spec.js';
import type { Framing } from '../../filters/index.js';

const LF = 0x0a;
const LF_BYTES = Buffer.from('\n');

/**
 * Where the output's records meet. Collectors hand over whole records, the last of a worker's
 * (or a block's) output perhaps without its delimiter: it goes out as it is, so that `fan -- cat`
 * gives back its input byte for byte. Only when more output follows does its delimiter go in
 * between, so that two workers' records never run together. Decided here, once, for every
 * merge mode, where the output is written.
 *
 * "Without its delimiter" means the output so far does not end with the delimiter's bytes. For
 * a delimiter that cannot overlap itself that is the same as ending inside a record. For one
 * that can (`\n\n`) a worker's output can end with it and still read, left to right, as ending
 * inside a record (`p\n` then `\n\n`); nothing goes in between then, as one worker alone would
 * have written it.
 *
 * Fixed-size records have no delimiter to put in between: a short record (the input's last,
 * shorter than the others) would shift every record after it. It is held back and written at
 * the end of the output, where it was in the input. Output in the input's order (`inOrder`: the
 * ordered merge) holds nothing back: the input's last record comes last there anyway, and a
 * block's output that ends in a short record (a filter writing 3 lines of a block under
 * `lines:2`) stays where its block is, as the workers wrote it; held back, it was moved to the
 * end of the output.
 */
export class RecordSeam {
  readonly #delimiter: Buffer | null;
  /** The last bytes written, as many as the delimiter has. */
  #tail: Buffer = Buffer.alloc(0);
  /** Fixed-size records: their size, and the short ones held back for the end. */
  readonly #size: number;
  readonly #short: Buffer[] = [];
  /** Records of n lines (`lines:<n>`): n, else 0. */
  readonly #lines: number;
  readonly #inOrder: boolean;

  constructor(framing: Framing, { inOrder = false }: { inOrder?: boolean } = {}) {
    this.#inOrder = inOrder;
    // Records between an end and a start string: the end string goes in as a delimiter does.
    const end = framing.kind === 'started' && framing.end.length > 0 ? framing.end : null;
    this.#delimiter = recordDelimiter(framing) ?? end;
    this.#size = framing.kind === 'fixed' ? framing.size : 0;
    this.#lines = framing.kind === 'multiline' ? framing.lines : 0;
  }

  /** The bytes the last `join` put in between (a delimiter), which no worker wrote. */
  added = 0;

  /** `parts` as they are to be written: after the delimiter the last record lacked, if it did. */
  join(parts: Buffer[]): Buffer[] {
    this.added = 0;
    if (this.#size > 0) return this.#inOrder ? parts : this.#aligned(parts);
    const delimiter = this.#delimiter;
    if (delimiter === null || !parts.some((part) => part.length > 0)) return parts;
    if (this.#lines > 0 && !this.#inOrder) return this.#wholeLines(parts, delimiter);
    const open = this.#tail.length > 0 && !this.#tail.equals(delimiter);
    if (open) this.added = delimiter.length;
    const out = open ? [delimiter, ...parts] : parts;
    this.#tail = lastBytes(this.#tail, out, delimiter.length);
    return out;
  }

  /**
   * What is left to write at the end of the output: the short records held (of a fixed size, or
   * of fewer than n lines), each of n lines ended by its LF if another follows it.
   */
  end(): Buffer[] {
    const short = this.#short.splice(0);
    if (this.#lines === 0) return short;
    return short.flatMap((record, i) =>
      i < short.length - 1 && record[record.length - 1] !== LF ? [record, LF_BYTES] : [record],
    );
  }

  /**
   * Records of n lines: a short one (fewer lines, the input's last) at the end of `parts` waits
   * for the end of the output, as a short fixed-size record does, so that no record after it
   * is shifted. What passes is whole records, each ended by its LF.
   */
  #wholeLines(parts: Buffer[], delimiter: Buffer): Buffer[] {
    const whole = Buffer.concat(parts);
    let lines = countByte(whole, LF);
    if (whole[whole.length - 1] !== LF) lines++;
    const rest = lines % this.#lines;
    if (rest === 0) return this.#delimited(whole.subarray(0, whole.length), delimiter);
    // The end of the last whole record: the LF `rest` lines before the end (counting an open one).
    let cut = whole.length;
    for (let i = whole[whole.length - 1] === LF ? 0 : 1; i <= rest; i++) {
      cut = cut === 0 ? -1 : whole.lastIndexOf(LF, cut - 1);
    }
    const at = cut + 1;
    this.#short.push(whole.subarray(at));
    return at === 0 ? [] : this.#delimited(whole.subarray(0, at), delimiter);
  }

  #delimited(bytes: Buffer, delimiter: Buffer): Buffer[] {
    const open = this.#tail.length > 0 && !this.#tail.equals(delimiter);
    if (open) this.added = delimiter.length;
    const out = open ? [delimiter, bytes] : [bytes];
    this.#tail = lastBytes(this.#tail, out, delimiter.length);
    return out;
  }

  /** Whole fixed-size records pass; a short one at the end of `parts` waits for the end. */
  #aligned(parts: Buffer[]): Buffer[] {
    let rest = parts.reduce((sum, part) => sum + part.length, 0) % this.#size;
    if (rest === 0) return parts;
    const out = parts.slice();
    const held: Buffer[] = [];
    while (rest > 0) {
      const part = out.pop()!;
      const take = Math.min(rest, part.length);
      held.unshift(part.subarray(part.length - take));
      if (take < part.length) out.push(part.subarray(0, part.length - take));
      rest -= take;
    }
    this.#short.push(...held);
    return out;
  }
}

/** The last `n` bytes of `before` followed by `parts`. */
function lastBytes(before: Buffer, parts: Buffer[], n: number): Buffer {
  const pieces: Buffer[] = [];
  let need = n;
  for (let i = parts.length - 1; i >= 0 && need > 0; i--) {
    const part = parts[i]!;
    const take = Math.min(need, part.length);
    pieces.unshift(part.subarray(part.length - take));
    need -= take;
  }
  if (need > 0) pieces.unshift(before.subarray(Math.max(before.length - need, 0)));
  return Buffer.concat(pieces);
}
