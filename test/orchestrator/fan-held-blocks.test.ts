import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { peakWatch } from '../support/flood.js';
import { fileTempDir } from '../support/temp.js';

// Blocks of a file given to workers tied to their output (`--one-to-one`) are held in memory
// until their worker's pipe has taken them. How many are held at once is what bounds manifold's
// memory with big blocks: two waiting and the one read next, one a worker being written into
// its pipe, and the ordered merge's output (`--merge-memory`). No more: with a worker given a
// second block while less than a block waited for it, and the input read on while two waited,
// `--block 32M` on 1 GiB held ten blocks' worth (376 MB against 76 with 1M blocks; 247 held to
// the count above), and `--block 16M` on the 256 MiB here eight (196 MB against 68; 147).

const dir = fileTempDir('manifold-held-blocks-');
const MIB = 1024 * 1024;

/** A file of `mib` MiB of numbered lines: its path and the sha256 of its bytes. */
function linesFile(mib: number): { path: string; sha: string } {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < MIB; i++) {
    const line = `${i} ${'abcdefghij'.repeat(1 + (i % 9))}\n`;
    lines.push(line);
    bytes += line.length;
  }
  const chunk = Buffer.from(lines.join(''));
  const path = join(dir, `lines-${mib}`);
  const fd = openSync(path, 'w');
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) {
    writeSync(fd, chunk);
    hash.update(chunk);
  }
  closeSync(fd);
  return { path, sha: hash.digest('hex') };
}

/** Runs `manifold fan args < file`: its status, stderr, the output's sha256 and its peak RSS. */
async function peakOf(args: string[], file: string, total: number) {
  const input = openSync(file, 'r');
  const child = spawn(manifold, ['fan', ...args], { stdio: [input, 'pipe', 'pipe'] });
  closeSync(input);
  const watch = peakWatch(child.pid!, total);
  const hash = createHash('sha256');
  let received = 0;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    received += chunk.length;
    watch.look(received);
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr, sha: hash.digest('hex'), peak: watch.peak };
}

describe('blocks held in memory', () => {
  it('--one-to-one from a file holds a few blocks, not ten: 16M blocks cost at most 6.5 blocks more than 1M ones, 64M ones (left in the file) half a block', async () => {
    const { path, sha } = linesFile(256);
    const total = readFileSync(path).length;
    const ordered = ['-j', '2', '--merge', 'ordered', '--one-to-one'];
    const small = await peakOf([...ordered, '--block', '1M', '--', 'cat'], path, total);
    const big = await peakOf([...ordered, '--block', '16M', '--', 'cat'], path, total);
    // Over 16M they are left in the file (fan-ranges-left-big.test.ts): held, 64M blocks cost
    // four more. What the ordered merge holds of the output is --merge-memory's: 4M here.
    const held = [...ordered, '--merge-memory', '4M', '--block', '64M'];
    const left = await peakOf([...held, '--', 'cat'], path, total);
    for (const run of [small, big, left]) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.sha).toBe(sha);
      expect(run.peak).not.toBeNull();
    }
    // Two waiting, one read next, one a worker's, some output held: ~5 blocks; was ~8.
    expect(big.peak! - small.peak!).toBeLessThan(6.5 * 16 * MIB);
    expect(left.peak! - small.peak!).toBeLessThan(32 * MIB);
    // Three runs of 256 MiB, one after another: 11.9 s in CI beside another file, over 30 s
    // pinned to one CPU beside a busy loop. The limit is for a hang, as fan-merges' peaks' is.
  }, 120_000);
});
