import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Frame, FrameKind, FrameReader } from '../../orchestrator/workers/frame/index.js';
import {
  fileFrames,
  itemMessages,
  ShipError,
  type ShipItem,
  shipItem,
} from '../../orchestrator/workers/shipment.js';
import { messageFrame } from '../../orchestrator/workers/ssh/protocol.js';
import { manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// What `--transfer` and `--table` ship to hosts (and a queue's Object Store): items keyed by
// the hash of their content, taken at the start of a run, their files read again as they are
// sent. A file changed in between would be sent as it is then, and kept by the host under the
// hash of what it was: a later run with the old content would find the new one in the cache.
// So the bytes sent are hashed again, and a change is an error before the host is told that
// the item is whole; a host told nothing keeps nothing of it.

const RUN = '00000000000000cd';

/** The frames of `item`, and what they carry for each file (by seq). */
async function framesOf(item: ShipItem) {
  const frames: Buffer[][] = [];
  const files = new Map<number, Buffer[]>();
  let failure: unknown = null;
  try {
    for await (const frame of fileFrames(item, 0, RUN)) {
      frames.push(frame);
      new FrameReader((read: Frame) => {
        files.set(read.seq, [...(files.get(read.seq) ?? []), read.payload]);
      }).push(Buffer.concat(frame));
    }
  } catch (error) {
    failure = error;
  }
  const bytes = (seq: number) => Buffer.concat(files.get(seq) ?? []).toString();
  return { frames, bytes, failure };
}

describe('shipping an item', () => {
  it('sends each file as it is, and ends quietly when nothing changed', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'a.txt'), 'alpha\n');
    writeFileSync(join(dir, 'lib', 'b.txt'), 'x'.repeat(3 << 20));
    const item = shipItem('lib', 'transfer', join(dir, 'lib'));
    const { frames, bytes, failure } = await framesOf(item);
    expect(failure).toBe(null);
    expect(bytes(0)).toBe('alpha\n');
    expect(bytes(1)).toBe('x'.repeat(3 << 20));
    expect(frames).toHaveLength(4); // one for a.txt, three of 1 MiB for b.txt
  });

  it.each([
    ['a file', false],
    ['a file of a folder', true],
  ])(
    '%s changed after it was hashed, at the same size: an error after its last frame',
    async (_what, folder) => {
      const dir = tempDir();
      const path = folder ? join(dir, 'lib') : join(dir, 'parse.js');
      const file = folder ? join(path, 'b.txt') : path;
      if (folder) {
        mkdirSync(path);
        writeFileSync(join(path, 'a.txt'), 'alpha\n');
      }
      writeFileSync(file, 'print(1)\n');
      const item = shipItem('parse', 'transfer', path);
      writeFileSync(file, 'print(2)\n');
      const { frames, failure } = await framesOf(item);
      expect(frames).toHaveLength(folder ? 2 : 1);
      expect(failure).toBeInstanceOf(ShipError);
      expect((failure as Error).message).toBe(
        `parse (${folder ? 15 : 9} B) changed while it was shipped: run again`,
      );
    },
  );
});

describe('manifold worker --receive', () => {
  /** Sends `item` to a receiver on a fresh cache; `end`: whether the End is sent. */
  async function receive(cache: string, item: ShipItem, end: boolean) {
    const input: Buffer[] = [
      ...messageFrame(FrameKind.Hello, RUN, 0, { run: RUN, items: itemMessages([item]) }),
    ];
    for await (const frame of fileFrames(item, 0, RUN)) input.push(...frame);
    if (end) input.push(...messageFrame(FrameKind.End, RUN, 0));
    return run(manifold, ['worker', '--receive'], Buffer.concat(input), {
      env: { XDG_CACHE_HOME: cache },
      timeout: 10_000,
    });
  }

  it('keeps nothing of an item whose sender stopped before its End', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'table.bin'), 'y'.repeat(100_000));
    const item = shipItem('table', 'transfer', join(dir, 'table.bin'));
    const cache = tempDir();
    const files = join(cache, 'manifold', 'files');
    expect((await receive(cache, item, false)).exitCode).toBe(0);
    // Neither the item nor a copy of it begun.
    expect(readdirSync(files)).toEqual([]);
    // Sent whole, it is kept under its hash.
    expect((await receive(cache, item, true)).exitCode).toBe(0);
    expect(readdirSync(files)).toEqual([item.hash]);
    expect(existsSync(join(files, item.hash, 'data'))).toBe(true);
    expect(readFileSync(join(files, item.hash, 'data'), 'utf8')).toBe('y'.repeat(100_000));
  });
});
