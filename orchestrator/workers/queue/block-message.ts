import { formatSize } from '../../../filters/index.js';
import type { Block } from '../block.js';
import { FrameKind } from '../frame/index.js';
import type { QueueConnection } from './connect.js';
import type { JobSpec } from './job.js';
import {
  frameMessage,
  HEADER_FIRST_RECORD,
  HEADER_RECORDS,
  headersOf,
  MESSAGE_OVERHEAD,
} from './messages.js';
import type { JobNames } from './names.js';
import { publishUntilStored } from './publish.js';

// A block as the coordinator publishes it to the job's work-queue stream (coordinator.ts): one
// message of its bytes, its first record and its count of records in headers, its id the block's.

/** Why a block cannot go to the queue as one message; null when it can. */
export function refusedBlock(conn: QueueConnection, block: Block): string | null {
  if (block.bytes + MESSAGE_OVERHEAD > conn.maxPayload) {
    return `refused a message of ${formatSize(block.bytes)} (over max_payload ${formatSize(conn.maxPayload)} less ${MESSAGE_OVERHEAD} bytes kept for headers: a record that large needs a larger max_payload, docs/queue.md)`;
  }
  return null;
}

/** Publishes a block to the job's work-queue stream; resolves once stored (publish.ts). */
export function publishBlock(
  job: { conn: QueueConnection; names: JobNames; spec: JobSpec; log: (line: string) => void },
  block: Block,
  stopped: () => boolean,
): Promise<unknown> {
  const { conn, spec, names } = job;
  const data = frameMessage(FrameKind.Block, spec.run, block.seq, block.parts);
  const headers = headersOf({
    [HEADER_FIRST_RECORD]: block.firstRecord,
    [HEADER_RECORDS]: block.records,
  });
  return publishUntilStored(
    conn,
    names.blocksSubject,
    data,
    { msgID: `${names.job}.${block.seq}`, headers },
    stopped,
    job.log,
  );
}
