import { ExitCode, ManifoldError } from '../errors.js';
import { createDecoder, type RecordDecoder } from '../framing/decoder.js';
import { RecordEncoder, type TextMemory } from '../framing/encoder.js';
import { MessageReader, outputHeader, TO_WORKER_HEADER, TRAILING } from '../protocol.js';
import type { HeapCap } from '../transfer.js';
import type { ParsedCommandLine } from './framings.js';
import { heapLimits } from './heap.js';
import { STDIN as INPUT, OutputWriter, readChunks } from './io.js';
import { RecordLoop } from './loop.js';
import { RecordReader } from './records.js';
import { Scratch } from './scratch.js';
import type { StrayErrors } from './stray.js';
import type { FilterContext, FilterSpec, RecordKind } from './types.js';

/** Where a filter under the protocol reads blocks and writes output: stdio, or a thread's port. */
export interface FilterIO {
  /** The input, block messages in order. */
  chunks(): AsyncIterable<Buffer>;
  /** Output of block `block` (TRAILING after the last), framed; `end` ends the block's output. */
  send(block: number, parts: Buffer[], end: boolean): Promise<void>;
  /** Nothing of `chunk` is held any more: its memory may serve again. */
  release?(chunk: Buffer): void;
  /** Where output text is encoded, when not in fresh Buffers: valid until it is sent. */
  memory?: TextMemory;
  /** After the last output. */
  close?(): Promise<void>;
  /** Before a failure: what was sent goes now, its block not done (a thread's is gathered). */
  sendNow?(): Promise<void>;
  /** The cap on the heap records are read into, when manifold set one (a thread's). */
  heapCap?: HeapCap | null;
}

/** stdin and stdout, as a process reads and writes them. */
export function stdio(): FilterIO {
  // Output text is encoded into memory used again once it is written (run.ts does the same).
  const memory = new Scratch();
  const writer = new OutputWriter(1, memory);
  return {
    chunks: () => readChunks(0),
    memory,
    // A block's last output and its end in one write.
    send(block, parts, end) {
      const bytes = parts.reduce((sum, part) => sum + part.length, 0);
      const out = bytes > 0 ? [outputHeader(block, bytes), ...parts] : [];
      if (end) out.push(outputHeader(block, 0));
      return writer.write(out);
    },
    // The process exits next: what a non-blocking stdout still queues must be out first.
    close: () => writer.flushed(),
    sendNow: () => writer.flushed(),
  };
}

interface Message {
  seq: number;
  firstRecord: number;
  payload: Buffer;
}

/**
 * Runs a filter under manifold's block protocol (filters/protocol.ts): each block of input
 * arrives framed, is transformed like a whole input of its own, and its output goes back framed
 * with the block's number and closed with an empty message, so manifold can tie it to the block.
 * `idleWaits`: the caller keeps a stray error's wait open throughout (a thread's): it is closed
 * while the filter waits for its next block (`idle`).
 */
export async function runProtocol<S>(
  spec: FilterSpec<RecordKind, S>,
  context: FilterContext<S>,
  parsed: ParsedCommandLine,
  stray: StrayErrors,
  io: FilterIO = stdio(),
  idleWaits = false,
): Promise<void> {
  const encoder = new RecordEncoder(parsed.join, io.memory);
  let seq = 0;
  let decoder: RecordDecoder = createDecoder(parsed.split);
  const send = (block: number, end = false) => io.send(block, encoder.take(), end);
  // Text and JSON records are copies, and a filter that keeps no Buffer record holds no view of
  // a block once it is done: its bytes are then held only by output parts (records passed on),
  // which the io copies out or sends before the memory serves again (thread.ts). Else a filter
  // may keep views of a block's records, and its memory is never released.
  const holdsViews = parsed.kind === 'buffer' && spec.keepsRecords !== false;
  const release = holdsViews ? undefined : io.release?.bind(io);
  const loop = new RecordLoop(
    spec,
    context,
    encoder,
    () => send(seq),
    (first, last) => decoder.encoded(first, last),
    stray,
  );
  const messages: Message[] = [];
  const reader = new MessageReader(TO_WORKER_HEADER, (header, payload) => {
    messages.push({ seq: header.readUInt32BE(0), firstRecord: header.readDoubleBE(8), payload });
  });
  // The same limits for every block: --max-record, or what a capped thread's heap holds.
  const limits = heapLimits(parsed, io.heapCap ?? null);
  /** The records of every block so far: what numbers a block whose place is not known (0). */
  let given = 0;
  // A filter that ends itself with process.exit() mid-block has the block's finished records
  // sent first, not ended, as a process filter writes them (run.ts): they were lost.
  const salvage = () => {
    try {
      loop.salvage();
      void send(seq).catch(() => {});
      void io.sendNow?.().catch(() => {});
    } catch {
      // Exiting: output that cannot go now has no one to tell.
    }
  };
  process.once('exit', salvage);
  try {
    for await (const chunk of idle(io.chunks(), stray, idleWaits)) {
      reader.push(chunk);
      for (const message of messages.splice(0)) {
        seq = message.seq;
        decoder = createDecoder(parsed.split, { input: INPUT, ...limits });
        const input = new RecordReader(decoder, parsed.split, parsed.join, parsed.kind, INPUT);
        const first = message.firstRecord > 0 ? message.firstRecord : given + 1;
        input.recordOffset = first - 1;
        // In pieces of the size a process reads: a piece's strings then die young, which V8's
        // scavenger makes cheap, where a whole block's would live on into the old generation.
        await finishedOnFailure(
          async () => {
            const { payload } = message;
            for (let at = 0; at < payload.length; at += input.readSize) {
              await loop.run(input.read(payload.subarray(at, at + input.readSize)));
            }
            await loop.run(input.read(null));
            given += decoder.count;
            // A block is answered only once a rejection its records left unhandled would be known.
            await stray.settle();
          },
          () => send(seq),
          io,
          stray,
        );
        await send(seq, true);
      }
      if (reader.pendingBytes === 0) release?.(chunk);
    }
    if (reader.pendingBytes > 0) {
      // Input that ends inside a message is no block manifold sent (or one cut short): said, not
      // dropped with a status of 0.
      throw new ManifoldError(
        'manifold.truncatedRecord',
        `the input ends inside a message of manifold's block protocol (${reader.pendingBytes} bytes of it): --protocol manifold is for manifold fan to give, which sends whole blocks`,
        { exitCode: ExitCode.failure },
      );
    }
    seq = TRAILING;
    // The number of records this worker read, as a process's flush is told (not the last one's
    // number in the whole input, which counted blocks other workers had).
    await loop.flush(given);
    await stray.settle();
    await send(TRAILING, true);
  } finally {
    process.off('exit', salvage);
  }
  await io.close?.();
}

/**
 * Runs a block's `work`; should it fail, the records it finished go out first (`send`, the
 * block not ended), as a process filter writes its finished records before it exits: under
 * `--halt never` manifold writes them in the block's place, where they were lost.
 */
async function finishedOnFailure(
  work: () => Promise<void>,
  send: () => Promise<void>,
  io: FilterIO,
  stray: StrayErrors,
): Promise<void> {
  try {
    // An error no one awaits (a callback's) fails the block too, its work left where it waits.
    await stray.race(work());
  } catch (error) {
    try {
      await send();
      await io.sendNow?.();
    } catch {
      // The failure is what is said: output that cannot go now has no one to tell.
    }
    throw error;
  }
}

/**
 * The chunks of input, with the stray error wait closed while the next is awaited (`close`): a
 * stray error heard between blocks (a timer's) then fails the next block, which manifold can run
 * again, as in a process, whose timers do not run while it reads; not the worker, with no block.
 */
async function* idle(
  chunks: AsyncIterable<Buffer>,
  stray: StrayErrors,
  close: boolean,
): AsyncGenerator<Buffer> {
  if (!close) {
    yield* chunks;
    return;
  }
  const iterator = chunks[Symbol.asyncIterator]();
  for (;;) {
    stray.endWait();
    let next: IteratorResult<Buffer>;
    try {
      next = await iterator.next();
    } finally {
      stray.beginWait();
    }
    if (next.done) return;
    yield next.value;
  }
}
