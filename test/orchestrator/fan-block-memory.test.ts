import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FanOptions } from '../../dist/orchestrator/fan/options.js';
import { heldMemory } from '../support/held-memory.js';
import { runMemoryFan } from '../support/memory-fan.js';
import { memoryKind } from '../support/memory-transport.js';

// What a block in flight costs manifold's heap, with very small blocks (`--block 16`): a
// worker tied to its output keeps every block it was given until that block's output is back,
// and the count is not capped (a worker that writes only once it has read more would wait for
// ever). Measured in this process over in-memory workers that answer nothing until their input
// ends: then every block of the input is in flight, and the heap (after a full collection) is
// compared between two inputs, the second three times the first. Objects, not time: the same on
// every run. A block given holds ~355 bytes, and one whose output waits its turn in the ordered
// merge ~600; the bounds below fail a block that holds an array with room for 17 parts, a
// closure to release it and a property array for that closure (~590), or a message made in
// advance for the merge and another array of 17 (~1240).

/** `count` lines of 7 bytes (`1000000\n` less one digit): two a 16-byte block. */
function input(count: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${String(1_000_000 + i).slice(1)}\n`);
  return Buffer.from(lines.join(''));
}

/**
 * The memory held with the blocks of `count` lines in flight, and how many blocks there were.
 * `held`: worker 1 holds its first block until worker 2 has ended, and worker 2 answers each of
 * its blocks at once: the ordered merge holds their output, each block's for its turn.
 */
async function inFlight(
  count: number,
  options: Partial<FanOptions>,
  held = false,
): Promise<{ memory: number; blocks: number }> {
  let memory = 0;
  let go = () => {};
  const gate = new Promise<void>((resolve) => {
    go = resolve;
  });
  const kind = memoryKind({
    program: ({ slot }) => {
      let records = 0;
      return {
        take: (bytes) => {
          let n = 0;
          for (const byte of bytes) if (byte === 10) n++;
          if (held && slot === 2) return 'x\n'.repeat(n);
          records += n;
          return '';
        },
        // Every block has been given and none is done (or, `held`, all but the first): the
        // moment to weigh them, as the first worker ends (`held`: worker 2, before its output).
        end: () => {
          if (memory === 0) memory = heldMemory();
          if (slot === 2) go();
          return 'x\n'.repeat(records);
        },
      };
    },
    gate: ({ slot, send }) => (held && slot === 1 && send === 1 ? gate : undefined),
  });
  // Read as a stream, in 64 KiB chunks, as a pipe is.
  const data = input(count);
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += 65536) chunks.push(data.subarray(at, at + 65536));
  const run = await runMemoryFan(kind, '', {
    inputs: null,
    input: Readable.from(chunks),
    blockSize: 16,
    attribution: 'one-to-one',
    ...options,
  });
  expect(run.end).toEqual({ kind: 'done', status: 0 });
  expect(run.output).toBe('x\n'.repeat(count));
  return { memory, blocks: run.summary.totals.blocks };
}

/** The heap held per block, from inputs of `count` lines and three times as many. */
async function perBlock(count: number, options: Partial<FanOptions>, held = false) {
  // Once first, so that what the run compiles is there for both.
  await inFlight(count, options, held);
  const small = await inFlight(count, options, held);
  const large = await inFlight(3 * count, options, held);
  expect(large.blocks - small.blocks).toBe(count);
  return (large.memory - small.memory) / (large.blocks - small.blocks);
}

describe('the heap a block in flight holds, with --block 16', () => {
  it.each([
    ['ordered', { merge: 'ordered' }],
    ['ready', { merge: 'ready' }],
  ] as const)('one-to-one, merge %s: under 450 bytes a block given', async (_, options) => {
    expect(await perBlock(30_000, options)).toBeLessThan(450);
  });

  it('one-to-one, merge ordered: under 900 bytes a block whose output waits its turn', async () => {
    expect(await perBlock(30_000, { merge: 'ordered' }, true)).toBeLessThan(900);
  });
});
