import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputSink } from '../../orchestrator/fan/output.js';
import { heldMemory } from '../support/held-memory.js';
import { tempDir } from '../support/temp.js';

// Output tied to tiny blocks (`--block 16`) reaches the sink a part per block, 7 or 16 bytes
// each. Queued as they came, while a write waited for the reader, each held a Buffer of ~100
// bytes: 230,000 of them were queued in a `--block 16 --merge ordered --one-to-one` run. Small
// parts are copied into one buffer as they are queued. Weighed here by the heap they hold, after
// full collections: objects, not time.

describe("the output sink's queue of small parts", () => {
  it('holds about their bytes while the reader waits, and writes them in order', async () => {
    const fifo = join(tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Opened for reading and writing, so that the open does not wait for a reader; nothing
    // reads it until `cat` comes.
    const fd = openSync(fifo, 'r+');
    const out = join(tempDir(), 'out');
    try {
      const sink = new OutputSink(fd, 64 << 20, true);
      // More than the pipe holds: the write waits for a reader, and what comes next is queued.
      const first = Buffer.alloc(4 << 20, 0x61);
      sink.write([first]);
      const n = 20_000;
      const data = Buffer.from(
        Array.from({ length: 3 * n }, (_, i) => `${String(1_000_000 + i).slice(1)}\n`).join(''),
      );
      const part = (i: number) => data.subarray(7 * i, 7 * i + 7);
      for (let i = 0; i < n; i++) sink.write([part(i)]);
      const before = heldMemory();
      // A part too long to copy goes between them, in its place.
      const long = Buffer.alloc(1000, 0x62);
      sink.write([long]);
      for (let i = n; i < 3 * n; i++) sink.write([part(i)]);
      const perPart = (heldMemory() - before) / (2 * n);
      expect(perPart).toBeLessThan(40);
      const reader = spawn('sh', ['-c', `cat "${fifo}" > "${out}"`], { stdio: 'inherit' });
      await sink.finish();
      closeSync(fd);
      await once(reader, 'exit');
      const expected = Buffer.concat([first, data.subarray(0, 7 * n), long, data.subarray(7 * n)]);
      expect(readFileSync(out).equals(expected)).toBe(true);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  });
});
