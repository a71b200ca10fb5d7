import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EndsSplitter } from '../../orchestrator/fan/ends-splitter.js';
import { InputReader } from '../../orchestrator/fan/input.js';
import { wroteParts } from '../../orchestrator/workers/lent.js';
import { tempDir } from '../support/temp.js';

// The memory the fan's input is read into comes back to be read into again once the bytes read
// into it are in a worker (or copied out by hash dispatch). A file read as a stream (under
// --stats, --tag, --header, hash dispatch...) into fresh memory for every read, the page faults
// made `fan --stats` take 2.5x the time of the same fan without it.

const MIB = 1024 * 1024;

/** A file of at least `size` bytes of numbered lines: its path and its size. */
function linesFile(size: number): { path: string; bytes: number } {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < size; i++) {
    const line = `${i} ${'x'.repeat(i % 97)}\n`;
    lines.push(line);
    bytes += line.length;
  }
  const path = join(tempDir(), 'input');
  writeFileSync(path, lines.join(''));
  return { path, bytes };
}

describe("the fan's input memory", () => {
  it('a file read as a stream is read into the same few buffers, each settled once its bytes are taken', async () => {
    const file = linesFile(24 * MIB);
    const fd = openSync(file.path, 'r');
    try {
      const reader = new InputReader(null, fd);
      const memories = new Set<ArrayBuffer>();
      let bytes = 0;
      for await (const chunk of reader.chunks(async () => {})) {
        memories.add(chunk.buffer as ArrayBuffer);
        bytes += chunk.length;
        // Taken by a worker at once: its bytes are settled, as a block's release does.
        wroteParts([chunk], chunk.length);
      }
      expect(bytes).toBe(file.bytes);
      // 24 reads of up to 1 MiB; fresh memory for each would be 24 buffers.
      expect(memories.size).toBeLessThanOrEqual(3);
    } finally {
      closeSync(fd);
    }
  });

  it('hash dispatch: every byte of the blocks cut is given back once, cut chunks included', () => {
    // Counting splitter (hash dispatch's): blocks of 10 bytes out of chunks of 7, so that most
    // chunks are cut between two blocks.
    const ends = new EndsSplitter(10, 10, 1000, () => 0);
    const chunks = ['ab\ncd\nef\n', 'gh\nij\n', 'kl\nmn\nop\nqr\n', 'st\nuv\nwx\nyz\n'].map((s) =>
      Buffer.from(s),
    );
    const blocks = [...chunks.flatMap((chunk) => ends.push(chunk)), ...ends.end()];
    const consumed = ends.consumed();
    const cut = blocks.reduce((sum, block) => sum + block.bytes, 0);
    expect(cut).toBe(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    expect(consumed.reduce((sum, part) => sum + part.length, 0)).toBe(cut);
    expect(Buffer.concat(consumed).equals(Buffer.concat(chunks))).toBe(true);
  });
});
