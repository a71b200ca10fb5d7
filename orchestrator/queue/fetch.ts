import { createHash } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import { CacheWriter } from '../remote/cache-writer.js';
import { type Frame, FrameError, FrameKind, FrameReader } from '../workers/frame/index.js';
import { TABLES_BUCKET } from '../workers/queue/tables.js';
import type { ItemMessage } from '../workers/shipment.js';

/**
 * The most chunks of an object asked of the server at once. A chunk is at most 1 MiB
 * (queue/tables.ts stores them so), so a fetch holds at most this many MiB of the object, besides
 * the frame being read and the write under way, whatever the sizes of the table and the disk.
 */
export const FETCH_AHEAD = 4;

/** How long one batch of chunks may take to come before the fetch gives up. */
const BATCH_MS = 30_000;

/** The stored object itself is bad (missing, cut short, spoiled): every worker would fail alike. */
export class ObjectFault extends Error {}

/**
 * Reads object `hash` (packItem's frames) into the cache at `root`, written beside its place and
 * renamed in whole once the object's SHA-256 digest and every frame's CRC-32 have been checked.
 * Resolves to the bytes of its files, or null when `signal` stopped it (nothing left behind).
 *
 * Not the client's `ObjectStore.get()`: its stream takes every chunk the server sends, however
 * far behind its reader is (@nats-io/obj 3.4.0 enqueues with no regard to backpressure). Here
 * the chunks are pulled FETCH_AHEAD at a time, each written (awaited) before more are asked for.
 */
export async function fetchItem(
  js: JetStreamClient,
  bucket: ObjectStore,
  hash: string,
  root: string,
  signal?: AbortSignal,
): Promise<number | null> {
  const info = await bucket.info(hash);
  if (info === null || info.deleted)
    throw new ObjectFault('there is no such object (was it removed from the bucket?)');
  const consumer = await js.consumers.get(`OBJ_${TABLES_BUCKET}`, {
    filter_subjects: `$O.${TABLES_BUCKET}.C.${info.nuid}`,
  });
  const sha = createHash('sha256');
  const frames: Frame[] = [];
  const reader = new FrameReader((frame) => frames.push(frame));
  const into = new ItemWriter(hash, root);
  try {
    for (let got = 0; got < info.chunks; ) {
      if (signal?.aborted) {
        into.abandon();
        return null;
      }
      const batch = await consumer.fetch({
        max_messages: Math.min(FETCH_AHEAD, info.chunks - got),
        expires: BATCH_MS,
      });
      const before = got;
      for await (const message of batch) {
        got++;
        sha.update(message.data);
        const { buffer, byteOffset, byteLength } = message.data;
        reader.push(Buffer.from(buffer, byteOffset, byteLength));
        for (const frame of frames.splice(0)) await into.frame(frame);
      }
      if (got === before)
        throw new Error(`the server sent none of its last ${info.chunks - got} chunks in 30s`);
    }
    const digest = Buffer.from(info.digest.replace(/^SHA-256=/, ''), 'base64');
    if (!sha.digest().equals(digest))
      throw new ObjectFault('received a corrupt object, digests do not match');
    return into.finish();
  } catch (error) {
    into.abandon();
    throw error instanceof FrameError ? new ObjectFault(error.message) : error;
  } finally {
    consumer.delete().catch(() => {});
  }
}

/** An object's frames into the cache: a Hello (what the item is), its Blocks, an End. */
class ItemWriter {
  readonly #hash: string;
  readonly #root: string;
  #writer: CacheWriter | null = null;
  #item: ItemMessage | null = null;
  #ended = false;

  constructor(hash: string, root: string) {
    this.#hash = hash;
    this.#root = root;
  }

  async frame(frame: Frame): Promise<void> {
    if (this.#ended) throw new FrameError('the object goes on past its End frame');
    if (frame.kind === FrameKind.Hello) {
      const item = JSON.parse(frame.payload.toString('utf8')) as ItemMessage;
      if (item.hash !== this.#hash) throw new FrameError(`the object holds item ${item.hash}`);
      this.#item = item;
      this.#writer = new CacheWriter(this.#root, [item]);
    } else if (frame.kind === FrameKind.Block) {
      if (this.#writer === null) throw new FrameError('a Block frame before the Hello');
      // Another process of this machine fetched it meanwhile: nothing to write.
      if (this.#writer.missing.length > 0) await this.#writer.append(0, frame.seq, frame.payload);
    } else if (frame.kind === FrameKind.End) this.#ended = true;
  }

  /** Renames the item into place; its bytes. */
  finish(): number {
    if (!this.#ended || this.#writer === null)
      throw new FrameError('the object ends before its End frame');
    this.#writer.finish();
    return this.#item?.bytes ?? 0;
  }

  abandon(): void {
    this.#writer?.abandon();
  }
}
