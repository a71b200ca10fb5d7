import { createDecoder, type Framing, RecordEncoder } from '../../filters/index.js';
import type { Worker } from '../workers/types.js';

/**
 * `--tag`: prefixes every record of a worker's output with the worker's number and a TAB.
 * Takes whole records and returns them tagged, in the same framing.
 */
export function createTagger(framing: Framing, slot: number): (parts: Buffer[]) => Buffer[] {
  const prefix = Buffer.from(`${slot}\t`);
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

/** Taggers for every worker, each made when its worker first writes. */
export function createTaggers(framing: Framing): (worker: Worker, parts: Buffer[]) => Buffer[] {
  const taggers = new Map<Worker, (parts: Buffer[]) => Buffer[]>();
  return (worker, parts) => {
    let tagger = taggers.get(worker);
    if (tagger === undefined) {
      tagger = createTagger(framing, worker.slot);
      taggers.set(worker, tagger);
    }
    return tagger(parts);
  };
}
