import { copyBytes } from '../../filters/framing/view.js';
import { createDecoder, type Framing, RecordEncoder } from '../../filters/index.js';
import type { Block } from '../workers/block.js';
import { SLOT_TAG, tagFor } from '../workers/command.js';
import { LentPool, wroteParts } from '../workers/lent.js';
import type { Worker } from '../workers/types.js';
import { countEnds } from './range-file.js';

/** The memory tagged output is written into, used again once the sink has written it. */
const OUT_SIZE = 2 * 1024 * 1024;
/** Output smaller than this is tagged into memory of its own. */
const OWN_SIZE = 64 * 1024;
/** Such memory kept for reuse: the output a sink may hold, and some. */
const KEPT = 8;
const pool = new LentPool(OUT_SIZE, KEPT);

/**
 * `--tag`: prefixes every record of a worker's output with the worker's number and a TAB.
 * Takes whole records and returns them tagged, in the same framing (a last record without its
 * delimiter gets one, as the decoder and encoder of records give it).
 *
 * Records ended by a delimiter are copied once, a record at a time, into memory lent to the sink
 * (`workers/lent.ts`) and used again once written; the bytes given are settled then, as copied
 * out (the worker's read memory comes back). Frames and records of a fixed size are decoded and
 * encoded again.
 */
export function createTagger(framing: Framing, tag: string): (parts: Buffer[]) => Buffer[] {
  const prefix = Buffer.from(`${tag}\t`);
  if (framing.kind !== 'delimited') return recoded(framing, prefix);
  const { delimiter } = framing;
  return (given) => {
    const parts = delimiter.length === 1 || given.length < 2 ? given : [Buffer.concat(given)];
    let bytes = 0;
    let ends = 0;
    // Whether the last record lacks its delimiter: the last part's last end is not its end.
    let open = false;
    for (const part of parts) {
      if (part.length === 0) continue;
      const found = countEnds(part, delimiter);
      bytes += part.length;
      ends += found.found;
      open = found.end !== part.length;
    }
    if (bytes === 0) return [];
    const records = ends + (open ? 1 : 0);
    const size = bytes + records * prefix.length + (open ? delimiter.length : 0);
    const out = memory(size);
    // A number is searched faster than a Buffer; records are copied by `copyBytes`, the prefix a
    // byte at a time.
    const needle = delimiter.length === 1 ? delimiter[0]! : delimiter;
    const step = delimiter.length;
    const tag = prefix.length;
    let at = 0;
    let start = true;
    for (const part of parts) {
      let from = 0;
      while (from < part.length) {
        if (start) {
          for (let i = 0; i < tag; i++) out[at + i] = prefix[i]!;
          at += tag;
        }
        const found = part.indexOf(needle, from);
        const to = found < 0 ? part.length : found + step;
        copyBytes(out, at, part, from, to);
        at += to - from;
        from = to;
        start = found >= 0;
      }
    }
    if (open) at += delimiter.copy(out, at);
    wroteParts(given, bytes);
    return [out];
  };
}

/** Where the tagged output goes: memory lent to the sink when it fits, else its own. */
function memory(size: number): Buffer {
  // A small output (a record or a few: a merge's output a worker at a time) gets its own; a
  // buffer of 2 MiB each, lent until written, was hundreds of MB and a page fault per 4 KiB.
  if (size > OUT_SIZE || size < OWN_SIZE) return Buffer.allocUnsafe(size);
  const buffer = pool.take();
  pool.lend(buffer, size);
  return buffer.subarray(0, size);
}

/** Any framing: each record decoded and encoded again with the prefix in front. */
function recoded(framing: Framing, prefix: Buffer): (parts: Buffer[]) => Buffer[] {
  return (parts) => {
    const decoder = createDecoder(framing, { maxRecord: Number.MAX_SAFE_INTEGER });
    const records: Buffer[] = [];
    for (const part of parts) decoder.push(part, records);
    decoder.end(records);
    const encoder = new RecordEncoder(framing);
    for (const record of records) encoder.add(Buffer.concat([prefix, record]));
    return encoder.take();
  };
}

/** Tags a worker's whole records, of `block` when known (per-block output), or no worker's. */
export type Tag = (worker: Worker | null, parts: Buffer[], block?: Block) => Buffer[];

/**
 * Taggers for every worker, each made when its worker first writes, its tag `template` with
 * `{%}` the worker's number (--tag's is `{%}` alone); with `{#}` in it (per-block workers), one
 * for each block, made as the block's output comes. null, output that is no worker's
 * (--header's copy), gets an empty tag: each line still has its tag column, as `parallel --pipe
 * --tag` tags every line with the job's argument, empty under --pipe.
 */
export function createTaggers(framing: Framing, template = SLOT_TAG): Tag {
  const taggers = new Map<Worker | null, (parts: Buffer[]) => Buffer[]>();
  const byBlock = template.includes('{#}');
  let last: { block: Block; tagger: (parts: Buffer[]) => Buffer[] } | null = null;
  return (worker, parts, block) => {
    if (byBlock && worker !== null && block !== undefined) {
      // A block's output comes in runs: its tagger is kept till another block's comes.
      if (last === null || last.block !== block) {
        const tag = tagFor(template, worker.slot, block.seq + 1);
        last = { block, tagger: createTagger(framing, tag) };
      }
      return last.tagger(parts);
    }
    let tagger = taggers.get(worker);
    if (tagger === undefined) {
      tagger = createTagger(framing, worker === null ? '' : tagFor(template, worker.slot));
      taggers.set(worker, tagger);
    }
    return tagger(parts);
  };
}
