import type { Readable } from 'node:stream';
import { bytesOf } from './input-fd.js';

/** Chunks a stream holds ready are taken together up to this many bytes. */
const GATHER = 64 * 1024;

/**
 * A stream's chunks as Buffers, those already waiting in it taken together, up to `GATHER`
 * bytes: a stream of objects (`Readable.from(lines)`) gives each one alone, and each given on
 * alone costs what takes it a turn of its own (fan's splitter and feed; run's pipe, a write
 * each). Only what is already there is gathered: nothing waits for more. `anyChunks`: a caller's
 * stream, whose chunks may be strings or other byte arrays (`bytesOf`, which refuses the rest).
 * `destroy`: whether the stream is destroyed when this stops early (fan's reads, as `for await`
 * does), or left to its owner (run's pipe, which says why it stopped).
 */
export async function* gathered(
  stream: Readable,
  anyChunks: boolean,
  destroy = true,
): AsyncGenerator<Buffer> {
  const pieces: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: destroy })) {
    const piece = anyChunks ? bytesOf(chunk) : (chunk as Buffer);
    if (piece.length === 0) continue;
    pieces.push(piece);
    bytes += piece.length;
    if (bytes < GATHER && stream.readableLength > 0) continue;
    yield pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, bytes);
    pieces.length = 0;
    bytes = 0;
  }
}
