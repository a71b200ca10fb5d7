import { blockHeader } from '../../../filters/protocol.js';
import type { Block } from '../block.js';
import type { InputHeader } from '../header.js';
import type { Attribution } from '../types.js';

/**
 * The bytes a block is sent to a persistent worker as: after the input's header when
 * `withHeader`, and under the protocol in one message whose header numbers its first record.
 */
export function blockParts(
  block: Block,
  attribution: Attribution,
  header: InputHeader,
  withHeader: boolean,
): Buffer[] {
  const parts = withHeader ? [...header.parts, ...block.parts] : block.parts;
  if (attribution !== 'protocol') return parts;
  // The header's records are numbered just before the block's own. A part of a block
  // (--dispatch hash) holds records that are not consecutive in the input: 0 says so, and the
  // filter numbers them as the records it was given, as a process reading its stdin does.
  const first =
    block.scatteredFrom !== undefined ? 0 : Math.max(0, block.firstRecord - header.records);
  return [blockHeader(block.seq, block.bytes + header.bytes, first), ...parts];
}
