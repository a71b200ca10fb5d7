import type { Limits } from './decoder.js';
import { EndedDecoder } from './ended.js';
import { LinesFinder } from './lines-finder.js';

/**
 * Records of `lines` lines (`lines:<n>`): a record is its lines with the LFs between them, the
 * last line's LF being its delimiter, as `lines`' records are. The final record may have fewer
 * lines (and its last line no LF): it is still a record, as `fixed`'s short final record is.
 */
export class MultilineDecoder extends EndedDecoder {
  constructor(lines: number, limits: Limits) {
    super(new LinesFinder(lines), 1, limits);
  }

  /** A short final record: its lines, without the last one's LF when it has one. */
  override end(out: Buffer[]): void {
    this.spanStart = out.length + 1;
    if (this.pending.length === 0) return;
    const record = this.pending.take();
    out.push(record[record.length - 1] === 0x0a ? record.subarray(0, record.length - 1) : record);
    this.count++;
  }
}
