import { createHash } from 'node:crypto';
import { FrameKind } from '../frame/index.js';
import type { QueueConnection } from './connect.js';
import { frameMessage, readMessage } from './messages.js';
import type { JobNames } from './names.js';

/**
 * What a worker that cannot serve its job tells the coordinator before it exits (subject
 * `manifold.<job>.notice`, in the results stream): a table it cannot fetch, or its command not
 * found, and whose fault that is. `object`: the stored object is missing or spoiled, and every
 * worker will fail alike; `machine`: the worker's own (its cache not writable, its disk full, its
 * command not installed), so others may serve. It is words for a person only: the coordinator
 * says it, and never runs anything for it.
 */
export type WorkerNotice = {
  host: string;
  pid: number;
  reason: string;
  fault: 'object' | 'machine';
} & ({ table: string; object: string } | { command: string });

/** Publishes a notice as an Error frame of the job's run; resolves false when it was not stored. */
export async function publishNotice(
  conn: QueueConnection,
  names: JobNames,
  run: string,
  notice: WorkerNotice,
): Promise<boolean> {
  const data = frameMessage(FrameKind.Error, run, 0, [Buffer.from(JSON.stringify(notice))]);
  // The same fault of the same machine, told again by a worker its supervisor restarts, is
  // dropped by the server within its window for doubles (nothing stored, nothing sent on).
  const msgID = `${names.job}.${run}.notice.${createHash('sha256').update(noticeKey(notice)).digest('hex').slice(0, 32)}`;
  try {
    await conn.js.publish(names.noticeSubject, data, { msgID });
    return true;
  } catch {
    return false;
  }
}

/**
 * What a notice is about, whichever process told it: the machine, the table or command, the
 * reason (not the pid, new at each start of a restarted worker).
 */
export function noticeKey(notice: WorkerNotice): string {
  const what =
    'table' in notice ? ['table', notice.table, notice.object] : ['command', notice.command];
  return JSON.stringify([notice.host, notice.fault, ...what, notice.reason]);
}

/** A notice of run `run` from a message's data; null when it is none (malformed, or of another run). */
export function readNotice(data: Uint8Array, run: string): WorkerNotice | null {
  try {
    const frame = readMessage(data);
    if (frame.kind !== FrameKind.Error || frame.run !== run) return null;
    const value = JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>;
    const { host, pid, reason, fault, table, object, command } = value;
    if (fault !== 'object' && fault !== 'machine') return null;
    if (typeof host !== 'string' || typeof reason !== 'string' || typeof pid !== 'number')
      return null;
    const who = { host: oneLine(host), pid, reason: oneLine(reason), fault } as const;
    if (typeof table === 'string' && typeof object === 'string')
      return { ...who, table: oneLine(table), object: oneLine(object) };
    if (typeof command === 'string' && fault === 'machine')
      return { ...who, command: oneLine(command) };
    return null;
  } catch {
    return null;
  }
}

/** Who failed, and why, as both sides say it: `{ worker, reason }` of a failure. */
export function describeNotice(notice: WorkerNotice): { worker: string; reason: string } {
  return {
    worker: `queue worker on ${notice.host} (pid ${notice.pid})`,
    reason:
      'table' in notice
        ? `cannot fetch table ${notice.table} (object ${notice.object}): ${notice.reason}`
        : `cannot run ${notice.command}: ${notice.reason}`,
  };
}

/** A field as one line of plain text: it came from another machine, to be printed here. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what go.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 500);
}
