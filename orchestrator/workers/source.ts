import { type BlockSource, PIECE } from './block.js';
import type { Transport } from './transport.js';

/** Buffers the pieces of blocks left in their file are read into, once written free again. */
const pieces: Buffer[] = [];
/** Those kept: two in flight for each of a few workers. */
const KEPT = 16;

/**
 * Sends a block left in its file (`Block.source`) into a transport: by the kernel where the
 * transport can (`Transport.sendSource`: a process started by the Python starter), else read a
 * piece at a time and written (`pumpSource`). `done` once it has all been taken, or the instance
 * stopped taking it; a file changed under it fails the run (`BlockSource`) and kills the
 * instance.
 */
export function sendSource(
  transport: Transport,
  source: BlockSource,
  bytes: number,
  going: () => boolean,
  done: (error?: Error | null) => void,
): void {
  if (transport.sendSource !== undefined) {
    transport.sendSource(source, bytes, done);
    return;
  }
  const write = (buffer: Buffer, written: () => void) => transport.send([buffer], written);
  void pumpSource(write, source, 0, bytes, going).then(
    () => done(),
    (error: Error) => {
      if (going()) transport.stop('kill');
      done(error);
    },
  );
}

/**
 * Sends bytes `from`-`bytes` of a block left in its file through `write` a piece at a time, each
 * read as the one before it is written: two pieces at most in flight, in buffers kept for the
 * next blocks. Stops once `going` says the instance has ended (a worker that stopped reading
 * early); rejects when a read fails (the file changed: the run has been failed for it).
 */
export async function pumpSource(
  write: (buffer: Buffer, written: () => void) => void,
  source: BlockSource,
  from: number,
  bytes: number,
  going: () => boolean,
): Promise<void> {
  const writing: Promise<void>[] = [];
  for (let at = from; at < bytes; ) {
    if (writing.length === 2) await writing.shift();
    if (!going()) break;
    // A buffer never given back (a read failed) is only left to the garbage collector.
    const buffer = pieces.pop() ?? Buffer.allocUnsafeSlow(PIECE);
    const length = Math.min(PIECE, bytes - at);
    await source.read(buffer, at, length);
    if (!going()) {
      giveBack(buffer);
      break;
    }
    writing.push(
      new Promise<void>((resolve) =>
        write(buffer.subarray(0, length), () => {
          giveBack(buffer);
          resolve();
        }),
      ),
    );
    at += length;
  }
  await Promise.all(writing);
}

function giveBack(buffer: Buffer): void {
  if (pieces.length < KEPT) pieces.push(buffer);
}
