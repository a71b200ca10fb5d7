import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';
import { formatDuration } from '../../options/jobs.js';
import { FrameKind, FrameReader } from '../frame/index.js';
import { fileFrames, itemMessages, type ShipItem } from '../shipment.js';
import type { HostConnection } from './connection.js';
import { SSH_STDIO } from './master.js';
import { messageFrame } from './protocol.js';

/**
 * The host could not take what was shipped: its connection lost, or its worker gave up (a full
 * disk). Not the run's fault, as a file changed while shipped is: the host is dropped.
 */
export class ShipRefused extends Error {}

/** What a host was sent, and the folder its workers start in. */
export interface Shipped {
  sent: ShipItem[];
  kept: ShipItem[];
  folder: string;
}

/**
 * Ships `items` to `host` over its shared connection, by `manifold worker --receive`: the host
 * says which it lacks (by content hash), and only those are sent, file by file, in frames of
 * at most 1 MiB read from the file as they go.
 */
export async function shipTo(
  host: HostConnection,
  items: readonly ShipItem[],
  run: string,
): Promise<Shipped> {
  const argv = host.command(['worker', '--receive']);
  const child = spawn(argv[0]!, argv.slice(1), { ...SSH_STDIO, cwd: host.folder });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-4096);
  });
  // Writing to it fails once ssh has gone (EPIPE, or its input closed): the host's doing,
  // said as ssh says it.
  let broken = false;
  child.stdin!.on('error', () => {
    broken = true;
  });
  child.stdin!.on('close', () => {
    broken = true;
  });
  const replies: { kind: FrameKind; value: unknown }[] = [];
  let wake = () => {};
  const reader = new FrameReader((frame) => {
    replies.push({ kind: frame.kind, value: JSON.parse(frame.payload.toString() || 'null') });
    wake();
  });
  let closed = false;
  let how = '';
  child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
  child.once('error', (error) => {
    stderr = host.startProblem(error);
  });
  child.once('close', (code, signal) => {
    closed = true;
    how = signal === null ? `ssh exited with status ${code}` : `ssh was killed by ${signal}`;
    wake();
  });
  const ended = async () => {
    while (!closed) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  // Its worker's own word first (an Error frame: a full disk), which our writes may have
  // outrun: they fail once it has stopped reading.
  const refused = () => {
    const said = replies.find((reply) => reply.kind === FrameKind.Error)?.value;
    return new ShipRefused(
      said === undefined ? stderr.trim().split('\n').at(-1)?.trim() || how : String(said),
    );
  };
  const next = async () => {
    while (replies.length === 0) {
      if (closed) throw refused();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    const reply = replies.shift()!;
    if (reply.kind === FrameKind.Error) throw new ShipRefused(String(reply.value));
    return reply.value;
  };
  try {
    const stdin = child.stdin!;
    await write(stdin, messageFrame(FrameKind.Hello, run, 0, { run, items: itemMessages(items) }));
    const { missing } = (await next()) as { missing: string[] };
    const sent = items.filter((item) => missing.includes(item.hash));
    for (const [index, item] of items.entries()) {
      if (!missing.includes(item.hash)) continue;
      for await (const frame of fileFrames(item, index, run)) await write(stdin, frame);
    }
    await write(stdin, messageFrame(FrameKind.End, run, 0));
    const { folder } = (await next()) as { folder: string };
    stdin.end();
    return { sent, kept: items.filter((item) => !missing.includes(item.hash)), folder };
  } catch (error) {
    if (!broken || error instanceof ShipRefused) throw error;
    // It went mid-write: 'write EPIPE' was all it said, and failed the run.
    child.kill('SIGKILL');
    await ended();
    throw refused();
  } finally {
    if (!closed) child.stdin!.end();
  }
}

/**
 * Removes the run's folder on `host`, and the items named (--cleanup). Resolves to null, or to
 * why it could not be done when the host did not answer within `timeoutMs` (--host-timeout):
 * its ssh is then killed, so a host that hangs does not hold manifold's exit.
 */
export async function removeFrom(
  host: HostConnection,
  hashes: readonly string[],
  run: string,
  timeoutMs: number,
  timeoutOption = '--host-timeout',
): Promise<string | null> {
  const argv = host.command(['worker', '--receive']);
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    cwd: host.folder,
  });
  child.stdin!.on('error', () => {});
  // Removing is the last thing a run does on a host: that it could not (its ssh gone since the
  // start, which crashed manifold with Node's unhandled 'error') is no news.
  child.once('error', () => {});
  child.stdin!.end(
    Buffer.concat(messageFrame(FrameKind.Hello, run, 0, { run, items: [], remove: [...hashes] })),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = await Promise.race([
    new Promise<boolean>((resolve) => child.once('close', () => resolve(false))),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!late) return null;
  // It leads its own group (detached): what it started goes with it.
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Gone meanwhile.
  }
  await new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(null);
    else child.once('close', resolve);
  });
  return `no answer within ${formatDuration(timeoutMs)} (${timeoutOption})`;
}

function write(stream: Writable, buffers: readonly Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.cork();
    for (const buffer of buffers) stream.write(buffer);
    stream.uncork();
    if (!stream.writableNeedDrain) {
      resolve();
      return;
    }
    // Whichever comes, the others' listeners go too: one left per wait would pile up while a
    // big item is shipped (Node warns past 10). Closed with no error (ssh killed: no write was
    // failing) it waited for ever, and manifold, with nothing left to wait for, exited 1,
    // silently.
    const settle = () => {
      stream.off('drain', drained);
      stream.off('error', failed);
      stream.off('close', closed);
    };
    const drained = () => {
      settle();
      resolve();
    };
    const failed = (error: Error) => {
      settle();
      reject(error);
    };
    const closed = () => failed(new Error('its input closed'));
    stream.once('drain', drained);
    stream.once('error', failed);
    stream.once('close', closed);
  });
}
