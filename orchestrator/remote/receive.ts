import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { type Frame, FrameError, FrameKind, FrameReader } from '../workers/frame/index.js';
import { messageFrame, type ReceiveMessage } from '../workers/ssh/protocol.js';
import { cacheFolder } from './cache.js';

/** Where an item lives on this host, once whole: `<cache>/<hash>/data`. */
export const itemPath = (root: string, hash: string) => join(root, hash, 'data');

/** The folder a run's workers start in, the shipped paths linked into it at their names. */
export const runFolder = (root: string, run: string) => join(dirname(root), 'runs', run);

/**
 * The far side of shipping (`manifold worker --receive`): told the items a run needs, it says
 * which are missing from the cache, takes their files (Block frames: channel the item, seq the
 * file, payloads in order), writes each item beside the cache and renames it in whole, then
 * links the run's transfers into the run's folder. Or, told to `remove`, removes a run's folder
 * and the items named. Resolves with the exit status.
 */
export function receiveStdio(input: Readable, output: Writable): Promise<number> {
  const root = cacheFolder();
  let request: ReceiveMessage | null = null;
  let missing: number[] = [];
  let open: { item: number; file: number; fd: number } | null = null;
  let run = '';
  const tmp = (hash: string) => join(root, `${hash}.tmp-${process.pid}`);

  const reply = (kind: FrameKind, value: unknown) =>
    output.write(Buffer.concat(messageFrame(kind, run, 0, value as string)));

  const closeOpen = () => {
    if (open !== null) closeSync(open.fd);
    open = null;
  };

  const onHello = (message: ReceiveMessage) => {
    request = message;
    if (message.remove !== undefined) {
      rmSync(runFolder(root, message.run), { recursive: true, force: true });
      for (const hash of message.remove) rmSync(join(root, hash), { recursive: true, force: true });
      reply(FrameKind.End, {});
      return;
    }
    mkdirSync(root, { recursive: true });
    missing = message.items.flatMap((item, i) =>
      existsSync(itemPath(root, item.hash)) ? [] : [i],
    );
    for (const i of missing) {
      const item = message.items[i]!;
      const base = join(tmp(item.hash), 'data');
      rmSync(tmp(item.hash), { recursive: true, force: true });
      mkdirSync(item.folder ? base : dirname(base), { recursive: true });
      // Empty files get no Block frame: they are made now.
      for (const file of item.files) {
        const path = item.folder ? join(base, file.rel) : base;
        mkdirSync(dirname(path), { recursive: true });
        closeSync(openSync(path, 'w', file.mode));
      }
    }
    reply(FrameKind.Hello, { missing: missing.map((i) => message.items[i]!.hash) });
  };

  const onBlock = (frame: Frame) => {
    const item = request?.items[frame.channel];
    const file = item?.files[frame.seq];
    if (item === undefined || file === undefined || !missing.includes(frame.channel)) {
      throw new FrameError(
        `a Block for no file asked for (item ${frame.channel}, file ${frame.seq})`,
      );
    }
    if (open === null || open.item !== frame.channel || open.file !== frame.seq) {
      closeOpen();
      const base = join(tmp(item.hash), 'data');
      open = {
        item: frame.channel,
        file: frame.seq,
        fd: openSync(item.folder ? join(base, file.rel) : base, 'a'),
      };
    }
    writeSync(open.fd, frame.payload);
  };

  const onEnd = () => {
    closeOpen();
    const message = request!;
    for (const i of missing) {
      const { hash } = message.items[i]!;
      try {
        renameSync(tmp(hash), join(root, hash));
      } catch {
        // Another run shipped it meanwhile: theirs is as good.
        rmSync(tmp(hash), { recursive: true, force: true });
      }
    }
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
      closeOpen();
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
    input.on('end', () => resolve(0));
    input.on('error', fail);
  });
}
