import { workerData } from 'node:worker_threads';
import type { DecoderOptions } from '../framing/decoder.js';
import { formatSize } from '../size.js';
import { HEAP_CAP, type HeapCap } from '../transfer.js';
import type { ParsedCommandLine } from './framings.js';

/** The cap on this thread's heap that manifold set (`--thread-heap`), or null. */
export function heapCap(): HeapCap | null {
  const data = workerData as Record<string, unknown> | null | undefined;
  const cap = data?.[HEAP_CAP] as HeapCap | undefined;
  return cap === undefined ? null : cap;
}

/**
 * The record size limit of a filter in a thread whose heap is capped: half the cap, for records
 * that become strings (text, JSON). V8 makes a record's string in one allocation, of up to twice
 * its bytes (UTF-16), and an allocation past the cap and the little Node grants over it is no
 * thread's failure but a fatal error of the whole process (V8's stack trace, manifold gone with
 * status 134). Refused before its string is made, the record fails its block in one line.
 * --max-record stays the limit where it is lower; Buffer records are never strings.
 */
export function heapLimits(parsed: ParsedCommandLine, cap: HeapCap | null): DecoderOptions {
  const strings =
    parsed.kind !== 'buffer' || (parsed.split.kind === 'delimited' && parsed.split.json);
  const limit = cap === null ? Number.POSITIVE_INFINITY : Math.floor(cap.bytes / 2);
  if (!strings || limit >= parsed.maxRecord) return { maxRecord: parsed.maxRecord };
  const capped = `half this thread's heap (capped at ${formatSize(cap!.bytes)} by ${cap!.option})`;
  return {
    maxRecord: limit,
    overLimit: (seen) =>
      `record is larger than ${formatSize(limit)}, ${capped} (${seen}); raise ${cap!.option}`,
  };
}
