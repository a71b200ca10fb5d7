import type { BlockTry } from '../workers/block.js';
import { FrameKind } from '../workers/frame/index.js';
import type { QueueConnection } from '../workers/queue/connect.js';
import {
  frameMessage,
  freshId,
  HEADER_INPUT,
  HEADER_PIECE,
  HEADER_PIECES,
  headersOf,
  MESSAGE_OVERHEAD,
} from '../workers/queue/messages.js';
import type { JobNames } from '../workers/queue/names.js';
import { publishUntilStored } from '../workers/queue/publish.js';
import { tryHeaders } from '../workers/queue/try-report.js';

const quiet = () => {};

/**
 * Publishes a block's output as pieces that each fit a message, then its end (with the count of
 * pieces, and the try that made it: --joblog's row). The pieces carry a fresh attempt id, so that
 * the coordinator takes one attempt's pieces whole; the end's message id is the block's, so the
 * server keeps one end per block. The end names the block's bytes it answers (`input`, their
 * CRC-32): a coordinator resuming the job checks they are its. Resolves false when stopped first.
 */
export async function publishOutput(
  conn: QueueConnection,
  names: JobNames,
  { seq, input }: { seq: number; input: number },
  output: readonly Buffer[],
  tried: BlockTry,
  stopped: () => boolean,
): Promise<boolean> {
  const attempt = freshId();
  const limit = conn.maxPayload - MESSAGE_OVERHEAD;
  let index = 0;
  for (const piece of piecesOf(output, limit)) {
    const data = frameMessage(FrameKind.Output, attempt, seq, piece);
    const headers = headersOf({ [HEADER_PIECE]: index });
    const msgID = `${names.job}.${seq}.${attempt}.${index}`;
    const stored = await publishUntilStored(
      conn,
      names.outSubject,
      data,
      { msgID, headers },
      stopped,
      quiet,
    );
    if (stored === null) return false;
    index++;
  }
  const data = frameMessage(FrameKind.BlockEnd, attempt, seq);
  const headers = headersOf({
    [HEADER_PIECES]: index,
    [HEADER_INPUT]: input,
    ...tryHeaders(tried),
  });
  const msgID = `${names.job}.${seq}.done`;
  const stored = await publishUntilStored(
    conn,
    names.doneSubject,
    data,
    { msgID, headers },
    stopped,
    quiet,
  );
  return stored !== null;
}

/**
 * Publishes that a block failed on its last try: who ran it, how it ended, the try, its bytes;
 * `notFound` where its command was not found or not executable (the run's status is then 127).
 */
export async function publishFailure(
  conn: QueueConnection,
  names: JobNames,
  seq: number,
  failure: { worker: string; reason: string; tried?: BlockTry; input: number; notFound?: boolean },
  stopped: () => boolean,
): Promise<void> {
  const data = frameMessage(FrameKind.Error, freshId(), seq, [
    Buffer.from(JSON.stringify(failure)),
  ]);
  const msgID = `${names.job}.${seq}.failed`;
  await publishUntilStored(conn, names.failedSubject, data, { msgID }, stopped, quiet);
}

/** The output cut into pieces of at most `limit` bytes, each a list of views (no copy here). */
function piecesOf(output: readonly Buffer[], limit: number): Buffer[][] {
  const pieces: Buffer[][] = [];
  let piece: Buffer[] = [];
  let size = 0;
  for (const chunk of output) {
    let pos = 0;
    while (pos < chunk.length) {
      const take = Math.min(limit - size, chunk.length - pos);
      piece.push(chunk.subarray(pos, pos + take));
      size += take;
      pos += take;
      if (size === limit) {
        pieces.push(piece);
        piece = [];
        size = 0;
      }
    }
  }
  if (size > 0) pieces.push(piece);
  return pieces;
}
