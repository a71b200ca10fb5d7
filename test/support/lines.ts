// Lines of text: numbered inputs, and what came out split, sorted and compared.

import { countedLines } from './counting.js';

/** The lines `<prefix><n>\n` for n from `from` to `to`, each with its newline. */
export const numberedLines = (from: number, to: number, prefix = ''): string[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => `${prefix}${from + i}\n`);

/** The lines `<prefix><n>\n` for n from `from` to `to`, as one text. */
export const numbered = (from: number, to: number, prefix = '') =>
  from >= 0 && Number.isSafeInteger(from) && Buffer.from(prefix).length === prefix.length
    ? countedLines(from, to, prefix)
    : numberedLines(from, to, prefix).join('');

/** Each line with a newline after it, as one text. */
export const joinLines = (lines: string[]) => lines.map((line) => `${line}\n`).join('');

/** Each line with a newline after it, as bytes. */
export const lineBytes = (lines: string[]) => Buffer.from(joinLines(lines));

/** The lines of a text that ends with a newline; what follows the last newline is dropped. */
export const linesOf = (text: string | Buffer) => text.toString().split('\n').slice(0, -1);

/**
 * The pieces between newlines, sorted: a text ending with a newline has an empty last piece,
 * so a missing final newline or a partial last line shows.
 */
export const sortedLines = (text: string | Buffer) => text.toString().split('\n').sort();

/** The lines that are not empty: stderr's lines, whether or not the last has its newline. */
export const nonEmptyLines = (text: string) => text.split('\n').filter((line) => line !== '');

/** One line from manifold on stderr, and nothing else. */
export const oneLine = /^manifold: [^\n]+\n$/;

/**
 * `--verbose`'s line saying that a stream's blocks are cut near their ends (fan/reading.ts):
 * their records not counted, or counted a block at a time (`STREAM_COUNTED_LINE`).
 */
export const STREAM_ENDS_LINE =
  /^manifold: input: read as a stream, each block cut at its last record end[^\n]*\n/m;

/** `--verbose`'s line saying that a stream's blocks are cut near their ends, then counted. */
export const STREAM_COUNTED_LINE =
  /^manifold: input: read as a stream, each block cut at its last record end, then its records counted[^\n]*\n/m;

/** `text` for use inside a regular expression, matching itself only. */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Record `n` as a 16-byte line (15 digits): with --block 1K, block k holds 64(k-1)+1 to 64k. */
export const record = (n: number) => `${String(n).padStart(15, '0')}\n`;

/** Record `n` without its newline. */
export const recordText = (n: number) => record(n).slice(0, -1);

/** Records `from` to `to`, as one text. */
export const records = (from: number, to: number) =>
  from >= 0
    ? countedLines(from, to, '', 15)
    : Array.from({ length: to - from + 1 }, (_, i) => record(from + i)).join('');
