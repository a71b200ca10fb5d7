import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Frame, FrameKind, FrameReader } from '../workers/frame/index.js';
import { messageFrame, type ReceiveMessage } from '../workers/ssh/protocol.js';
import { cacheFolder, itemPath } from './cache.js';
import { CacheWriter } from './cache-writer.js';

/** The folder a run's workers start in, the shipped paths linked into it at their names. */
export const runFolder = (root: string, run: string) => join(dirname(root), 'runs', run);

/**
 * The far side of shipping (`manifold worker --receive`): told the items a run needs, it says
 * which are missing from the cache, takes their files (Block frames: channel the item, seq the
 * file, payloads in order), writes each item beside the cache and renames it in whole
 * (cache-writer.ts), then links the run's transfers into the run's folder. Or, told to
 * `remove`, removes a run's folder and the items named. Resolves with the exit status.
 */
export function receiveStdio(input: Readable, output: Writable): Promise<number> {
  const root = cacheFolder();
  let request: ReceiveMessage | null = null;
  let writer: CacheWriter | null = null;
  let run = '';

  const reply = (kind: FrameKind, value: unknown) =>
    output.write(Buffer.concat(messageFrame(kind, run, 0, value as string)));

  const onHello = (message: ReceiveMessage) => {
    request = message;
    if (message.remove !== undefined) {
      rmSync(runFolder(root, message.run), { recursive: true, force: true });
      for (const hash of message.remove) rmSync(join(root, hash), { recursive: true, force: true });
      reply(FrameKind.End, {});
      return;
    }
    writer = new CacheWriter(root, message.items);
    reply(FrameKind.Hello, { missing: writer.missing.map((i) => message.items[i]!.hash) });
  };

  const onBlock = (frame: Frame) => {
    if (writer === null) throw new Error('a Block before the Hello');
    writer.write(frame.channel, frame.seq, frame.payload);
  };

  const onEnd = () => {
    writer?.finish();
    writer = null;
    const message = request!;
    const folder = runFolder(root, message.run);
    for (const item of message.items) {
      if (item.kind !== 'transfer') continue;
      const link = join(folder, item.name);
      mkdirSync(dirname(link), { recursive: true });
      rmSync(link, { force: true, recursive: true });
      symlinkSync(itemPath(root, item.hash), link);
    }
    reply(FrameKind.End, { folder });
  };

  return new Promise((resolve) => {
    const fail = (error: unknown) => {
      writer?.abandon();
      writer = null;
      const line = error instanceof Error ? error.message : String(error);
      output.write(
        Buffer.concat(messageFrame(FrameKind.Error, run || '0000000000000000', 0, line)),
      );
      input.destroy();
      resolve(1);
    };
    const reader = new FrameReader((frame) => {
      run ||= frame.run;
      if (frame.kind === FrameKind.Hello) onHello(JSON.parse(frame.payload.toString()));
      else if (frame.kind === FrameKind.Block) onBlock(frame);
      else if (frame.kind === FrameKind.End) onEnd();
    });
    input.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        fail(error);
      }
    });
    input.on('end', () => {
      // Its sender stopped before the End (it could not send all, or what it sent changed):
      // nothing of it is kept.
      writer?.abandon();
      writer = null;
      resolve(0);
    });
    input.on('error', fail);
  });
}
