/**
 * The input's header (--header): its first records, which every block is given first, as
 * `parallel --pipe --header` does (an unattributed persistent worker, reading one stream, gets
 * them once, before its first block). The fan fills it in before it sends any block; until then,
 * and when the input has none, it holds no records.
 */
export interface InputHeader {
  parts: Buffer[];
  bytes: number;
  records: number;
}

/** A header of no records: what workers are given when there is none. */
export function noHeader(): InputHeader {
  return { parts: [], bytes: 0, records: 0 };
}
