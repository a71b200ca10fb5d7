import { Readable } from 'node:stream';
import { JetStreamApiError } from '@nats-io/jetstream';
import { type ObjectStore, Objm, StorageType } from '@nats-io/obj';
import { describeError, UsageError } from '../../../filters/index.js';
import { encodeFrame, FrameKind } from '../frame/index.js';
import { describeItem, fileFrames, itemMessages, type ShipItem, shipItem } from '../shipment.js';
import { type QueueConnection, QueueError } from './connect.js';
import { MESSAGE_OVERHEAD } from './messages.js';
import { type JobOptionName, jobFlagOf } from './names.js';

/**
 * The Object Store bucket that holds tables for queue workers, shared by every job: an object
 * is named by its table's content hash (shipment.ts, the hash SSH hosts cache by), so a table
 * is stored once however many jobs and runs use it.
 */
export const TABLES_BUCKET = 'manifold-tables';

/** The bucket of tables; made when `create` and it is not there yet. */
export async function tablesBucket(conn: QueueConnection, create: boolean): Promise<ObjectStore> {
  const objm = new Objm(conn.js);
  return create
    ? objm.create(TABLES_BUCKET, { storage: StorageType.File })
    : objm.open(TABLES_BUCKET);
}

/**
 * An item as one object: a Hello frame with what a cache is told of it (its files' names,
 * modes and sizes), its files as the Block frames SSH shipping sends (channel 0), and an End
 * frame; each frame's CRC-32 is checked on the way in, besides the object's digest.
 */
export async function* packItem(item: ShipItem): AsyncGenerator<Buffer> {
  const run = item.hash.slice(0, 16);
  const [message] = itemMessages([item]);
  yield Buffer.concat(
    encodeFrame({
      kind: FrameKind.Hello,
      run,
      seq: 0,
      payload: Buffer.from(JSON.stringify(message)),
    }),
  );
  for await (const frame of fileFrames(item, 0, run)) yield Buffer.concat(frame);
  yield Buffer.concat(encodeFrame({ kind: FrameKind.End, run, seq: 0 }));
}

/**
 * Stores each table in the bucket unless an object of its hash is there already (a second run
 * uploads nothing), and returns the job's tables: name → hash. Two coordinators storing one
 * table at once store it once: the second's put expects no object of that name, and is refused.
 */
export async function storeTables(
  conn: QueueConnection,
  tables: readonly { name: string; path: string }[],
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  if (tables.length === 0) return hashes;
  const bucket = await tablesBucket(conn, true).catch((error: unknown) => {
    throw new QueueError(
      `cannot open the Object Store bucket ${TABLES_BUCKET} on ${conn.url}: ${describeError(error)}`,
      error,
    );
  });
  for (const table of tables) {
    const item = shipItem(table.name, 'table', table.path);
    hashes[table.name] = item.hash;
    const found = await bucket.info(item.hash);
    if (found !== null && !found.deleted) {
      log(`${describeItem(item)}: on the queue already, object ${item.hash}`);
      continue;
    }
    try {
      const data = Readable.toWeb(Readable.from(packItem(item))) as ReadableStream<Uint8Array>;
      await bucket.put(
        {
          name: item.hash,
          description: `manifold table ${table.name}`,
          options: { max_chunk_size: Math.min(1024 * 1024, conn.maxPayload - MESSAGE_OVERHEAD) },
        },
        data,
        { previousRevision: found?.revision ?? 0 },
      );
    } catch (error) {
      const now = await bucket.info(item.hash).catch(() => null);
      // Stored meanwhile by another coordinator: as good as ours.
      if (error instanceof JetStreamApiError && now !== null && !now.deleted) continue;
      throw new QueueError(
        `cannot store table ${table.name} (${table.path}) in the Object Store of ${conn.url}: ${describeError(error)}`,
        error,
      );
    }
    log(`${describeItem(item)}: stored on the queue, object ${item.hash}`);
  }
  return hashes;
}

/** A resumed job must have been started with the same tables: its answers were made with them. */
export function checkSameTables(
  found: Record<string, string> | undefined,
  wanted: Record<string, string>,
  job: string,
  option: JobOptionName = jobFlagOf,
): void {
  const was = found ?? {};
  for (const name of new Set([...Object.keys(was), ...Object.keys(wanted)])) {
    if (was[name] === wanted[name]) continue;
    const how =
      was[name] === undefined
        ? `without table ${name}`
        : wanted[name] === undefined
          ? `with table ${name}`
          : `with other content in table ${name}`;
    throw new UsageError(
      `job "${job}" on the queue was started ${how}: resume it with the same tables, or give another ${option('job')}`,
    );
  }
}
