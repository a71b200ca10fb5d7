import { createBoundaryFinder } from '../../filters/framing/boundary.js';
import { type RegexpFraming, regexpSources } from '../../filters/framing/regexp.js';
import type { Framing } from '../../filters/index.js';
import type { Block } from '../workers/block.js';

const LF = 0x0a;

/**
 * --rrs (parallel's --remove-rec-sep): a block as its worker is given it, without the record
 * separators: between every two of its records (`<end><start>` of `between:`, the start string
 * of `start:`, the delimiter of `delim:`), the start string its first record begins with and the
 * end string its last ends with, as parallel removes them from each block it writes; under
 * `lines:<n>` every LF, as parallel's -L. Made after the block's records were counted, so
 * messages, --one-to-one and the numbers of records are the input's; a new block, its bytes a
 * copy, so a retry sends the same bytes again. Null for framings with no separators (`fixed:`,
 * `frames`, `raw`).
 */
export function separatorRemover(framing: Framing): ((block: Block) => Block) | null {
  if (framing.kind === 'fixed' || framing.kind === 'frames' || framing.kind === 'raw') return null;
  return (block) => {
    if (block.parts.length === 0) return block;
    const bytes = block.parts.length === 1 ? block.parts[0]! : Buffer.concat(block.parts);
    const kept = withoutSeparators(bytes, framing);
    // The block's own bytes are no longer read: its memory may be written again.
    block.release?.();
    const { release: _release, reread: _reread, ...rest } = block;
    return { ...rest, parts: [kept], bytes: kept.length, inputBytes: bytes.length };
  };
}

/**
 * The bytes of whole records without their separators, copied: parallel's `s/<end><start>//g`,
 * then `s/^<start>//` and `s/<end>$//` on what is left (its `$` matches before a last LF too;
 * here only at the very end).
 */
export function withoutSeparators(bytes: Buffer, framing: Framing): Buffer {
  if (framing.kind === 'regexp') return withoutMatches(bytes, framing);
  const spans = separatorSpans(bytes, framing);
  let removed = 0;
  for (const [from, to] of spans) removed += to - from;
  const kept = Buffer.allocUnsafe(bytes.length - removed);
  let at = 0;
  let from = 0;
  for (const [start, end] of spans) {
    at += bytes.copy(kept, at, from, start);
    from = end;
  }
  bytes.copy(kept, at, from);
  if (framing.kind !== 'started') return kept;
  const { start, end } = framing;
  const first = kept.subarray(0, start.length).equals(start) ? start.length : 0;
  const last =
    end.length > 0 && kept.length - end.length >= first && kept.subarray(-end.length).equals(end)
      ? kept.length - end.length
      : kept.length;
  return kept.subarray(first, last);
}

/**
 * parallel's --regexp --rrs: every match of `<end><start>` removed, left to right, then a
 * `<start>` match at the block's beginning and an `<end>` match at its very end.
 */
function withoutMatches(bytes: Buffer, framing: RegexpFraming): Buffer {
  const { end, start, startAfterEnd } = regexpSources(framing);
  const kept = bytes
    .toString('latin1')
    .replace(new RegExp(`(?:${end})(?:${startAfterEnd})`, 'g'), '')
    .replace(new RegExp(`^(?:${start})`), '')
    .replace(new RegExp(`(?:${end})$`), '');
  return Buffer.from(kept, 'latin1');
}

/**
 * Where the separators between records lie in `bytes`, in order and not overlapping, as
 * [from, to) pairs: each delimiter, or each `<end><start>` (a start string at the very
 * beginning too, where the finder sees none); every LF of `lines:<n>`.
 */
function separatorSpans(bytes: Buffer, framing: Framing): [number, number][] {
  const spans: [number, number][] = [];
  if (framing.kind === 'multiline') {
    for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) {
      spans.push([at, at + 1]);
    }
    return spans;
  }
  const finder = createBoundaryFinder(framing);
  // How far before each end the finder returns its separator begins: a delimiter's length, or
  // `<end><start>`'s, whose end the finder returns.
  const length =
    framing.kind === 'delimited'
      ? framing.delimiter.length
      : framing.kind === 'started'
        ? framing.end.length + framing.start.length
        : 0;
  if (
    framing.kind === 'started' &&
    framing.end.length === 0 &&
    bytes.subarray(0, length).equals(framing.start)
  ) {
    spans.push([0, length]);
  }
  for (let end = finder.next(bytes, 0); end >= 0; end = finder.next(bytes, end)) {
    spans.push([end - length, end]);
  }
  return spans;
}
