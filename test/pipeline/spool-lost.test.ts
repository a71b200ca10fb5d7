import {
  createReadStream,
  existsSync,
  readdirSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { TeeNode } from '../../orchestrator/pipeline/tee.js';
import { holdsWithin } from '../support/proc.js';
import { collect, spawnManifold, waitForExit, within } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// What `manifold run` spools to temporary files, cut short under it by another process (a
// cleaner of temporary files). The copy to branches spools a branch that falls behind
// (tee-branch.ts): its read-back must not spin for ever on reads of 0 bytes, nor a branch let
// go for a spool it cannot read back go as quietly as one whose reader is gone, the run ending
// 0 with that branch's data lost. A concat spools the branches after the first until their
// turn (combine.ts): a short spool read to its end must not end 0 with the output short.

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

describe('a concat whose spool is cut short under it', () => {
  it('fails the run with a line naming the spool, instead of ending 0 with the output short', async () => {
    const dir = tempDir('mf-concat-lost-');
    const gate = join(dir, 'gate');
    await execa('mkfifo', [gate]);
    // The first branch ends only when the gate opens; the second's output (its input again) is
    // spooled meanwhile, until its turn.
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - branches:',
        '      first:',
        `        - run: cat >/dev/null; read go < ${gate}; echo "first $go"`,
        '      second:',
        '        - run: cat',
        '    combine: concat',
        '',
      ].join('\n'),
    );
    const child = spawnManifold(['run', config], { TMPDIR: spools });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const exit = waitForExit(child);
    const input = Buffer.alloc(2 * 1024 * 1024, 'y\n');
    child.stdin!.end(input);
    const spoolOf = () => {
      const folder = readdirSync(spools).find((name) => name.startsWith('manifold-concat-'));
      return folder === undefined ? null : join(spools, folder, 'b1');
    };
    const whole = () => {
      const spool = spoolOf();
      return spool !== null && existsSync(spool) && statSync(spool).size === input.length;
    };
    expect(await holdsWithin(whole, 20_000), 'the second branch spooled whole').toBe(true);
    const spool = spoolOf()!;
    truncateSync(spool, 1000);
    writeFileSync(gate, 'go\n');
    expect((await within(exit, 20_000, 'the run did not end')).exitCode).toBe(1);
    expect((await stderr).toString()).toMatch(
      new RegExp(
        `^manifold: .*cannot read back a branch's spool: ${spool} is shorter than what was written to it\\n$`,
      ),
    );
    // What came out is the first branch's, then a part of the second's, never more than it.
    const out = await stdout;
    expect(out.subarray(0, 9).toString()).toBe('first go\n');
    expect(out.length).toBeLessThanOrEqual(9 + 1000);
    expect(readdirSync(spools).filter((name) => name.startsWith('manifold-'))).toEqual([]);
  });
});
