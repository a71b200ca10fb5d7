import { readlinkSync, readSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { tempDir } from '../support/temp.js';

// The kernel pipes manifold gives children (orchestrator/pipeline/pipes.ts): anonymous pipes,
// made by a perl helper and opened through /proc; FIFOs where perl cannot run.

const path = process.env.PATH;

afterEach(() => {
  process.env.PATH = path;
});

/** Writes through each pipe and reads the same bytes back; returns what each end links to. */
function exercise(count: number): string[] {
  const pipes = openPipes(count);
  try {
    expect(pipes).toHaveLength(count);
    return pipes.map((pipe, i) => {
      const text = Buffer.from(`pipe ${i}\n`);
      expect(writeSync(pipe.write, text)).toBe(text.length);
      const back = Buffer.alloc(64);
      expect(back.subarray(0, readSync(pipe.read, back)).equals(text)).toBe(true);
      const read = readlinkSync(`/proc/self/fd/${pipe.read}`);
      expect(readlinkSync(`/proc/self/fd/${pipe.write}`)).toBe(read);
      return read;
    });
  } finally {
    closeAll(pipes.flatMap((pipe) => [pipe.read, pipe.write]));
  }
}

describe('openPipes', () => {
  it('opens anonymous pipes, one per call of each, both ends of the same pipe', () => {
    const links = exercise(3);
    for (const link of links) expect(link).toMatch(/^pipe:\[\d+\]$/);
    expect(new Set(links).size).toBe(3);
  });

  it('falls back to FIFOs, unlinked, where perl cannot be run', () => {
    // A PATH with mkfifo and without perl.
    const bin = tempDir('manifold-pipes-bin-');
    symlinkSync('/usr/bin/mkfifo', join(bin, 'mkfifo'));
    process.env.PATH = bin;
    const links = exercise(2);
    for (const link of links) expect(link).toMatch(/\/manifold-[^/]+\/p\d \(deleted\)$/);
  });
});
