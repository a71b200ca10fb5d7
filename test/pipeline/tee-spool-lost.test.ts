import { createReadStream, readdirSync, truncateSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { TeeNode } from '../../orchestrator/pipeline/tee.js';
import { within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// The copy to branches spools a branch that falls behind (tee-branch.ts). A spool cut short under
// it (by another process: a temporary-files cleaner) used to make its read-back spin for ever on
// reads of 0 bytes; and a branch let go for a spool it could not read back was let go as
// quietly as one whose reader is gone, so the run ended 0 with that branch's data lost.

const SIZE = 12 * 1024 * 1024;

let saved: string | undefined;
let spools = '';
beforeEach(() => {
  saved = process.env.TMPDIR;
  spools = tempDir('manifold-tee-lost-');
  process.env.TMPDIR = spools;
});
afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
});

/** A pipe's read end, read as it comes: the bytes so far, a wait for some count, and its end. */
function reading(fd: number) {
  const parts: Buffer[] = [];
  let bytes = 0;
  let wake: (() => void) | null = null;
  const stream = createReadStream('', { fd });
  stream.on('data', (chunk) => {
    parts.push(chunk as Buffer);
    bytes += chunk.length;
    wake?.();
  });
  const ended = new Promise<Buffer>((resolve, reject) => {
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
  return {
    ended,
    async atLeast(count: number): Promise<void> {
      while (bytes < count) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

describe('a branch whose spool is cut short under it', () => {
  it('fails the copy with a line naming the spool, instead of spinning or ending 0', async () => {
    const [input, a, b] = openPipes(3);
    const tee = new TeeNode('copy', input!.read, [a!.write, b!.write]);
    // The tee holds its own ends now (sockets over the descriptors).
    const gotA = reading(a!.read);
    const data = Buffer.alloc(SIZE, 'x\n');
    const writer = new Socket({ fd: input!.write, readable: false, writable: true });
    writer.write(data);
    // Branch a takes everything; b, never read yet, has all but what its pipe and 4 MiB hold in
    // its spool. The tee writes a chunk to a, then to b's spool, in one go: when a has all of it,
    // b's spool is whole. The input stays open: the copy is still reading when b goes.
    await within(gotA.atLeast(SIZE), 20_000, 'branch a did not get the input');
    const folders = readdirSync(spools);
    expect(folders).toHaveLength(1);
    const spool = join(spools, folders[0]!, 'b2-1');
    truncateSync(spool, 0);
    // Now b is read: its pipe drains, the spool is read back, found short, and b is let go.
    const gotB = reading(b!.read);
    const prefix = await within(
      gotB.ended,
      20_000,
      'branch b never ended (a spin on a short read)',
    );
    // What b got is a prefix of the input: its pipe and memory, not the lost spool.
    expect(prefix.length).toBeLessThan(SIZE);
    expect(prefix.equals(data.subarray(0, prefix.length))).toBe(true);
    // The input ends: the copy ends, failed for b's sake, though b was let go before.
    writer.end();
    expect((await within(gotA.ended, 20_000, 'branch a did not end')).length).toBe(SIZE);
    const end = await within(tee.ended, 20_000, 'the copy never ended');
    expect(end.exitCode).toBe(1);
    expect(end.error).toBe(
      `cannot read back a branch's spool: ${spool} is shorter than what was written to it`,
    );
    expect(readdirSync(spools)).toEqual([]);
    closeAll([input!.read]);
  });
});
