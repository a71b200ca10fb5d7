import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  statusKiB,
  writingIntoFullPipe,
} from '../support/proc.js';
import { finish } from '../support/spawn.js';
import { fileTempDir, fileWith } from '../support/temp.js';

// `--merge ordered` of per-block workers (a process per block) into manifold's own stdout: the
// Python process starter writes each block's output there itself, in the blocks' order, the
// next block's as it comes and later ones' held until their turn (`RelaySpec.ordered`). Each
// case is run beside MANIFOLD_STARTER=perl, where manifold reads and orders the output itself.

const ORDERED = /output: the process starter writes each block's output to stdout itself/;
const PERL = { env: { LC_ALL: 'C', MANIFOLD_STARTER: 'perl' } };
const tempDir = () => fileTempDir('manifold-fan-relay-ordered-');

/** A FIFO in a folder of its own, for one block's command to wait on another's. */
async function fifo(): Promise<string> {
  const path = join(tempDir(), 'go');
  expect((await run('mkfifo', [path])).exitCode).toBe(0);
  return path;
}

/** `fan -j 2 --merge ordered --shell` of `script`, with `FIFO` in its environment. */
const fanArgs = (script: string, ...more: string[]) => [
  'fan',
  '-j',
  '2',
  '--merge',
  'ordered',
  '--verbose',
  ...more,
  '--shell',
  '--',
  script,
];

// One test at a time: beside the 45 MB of `yes` held past --merge-memory, four runs of a 1 MB
// file took 9.7 s in CI and 22 s on one CPU beside a busy loop (past 30 s with another file).
describe('an ordered merge of per-block workers written by the process starter', () => {
  it('a later block that ends first is held for its turn: the output in input order, as manifold orders it', async ({
    expect,
  }) => {
    // Block 1 writes its input only once block 2 has written all of its own and ended: without
    // the order kept, block 2's records would come first.
    const lines = numbered(1, 20_000, 'o'.repeat(40));
    const file = fileWith('manifold-fan-relay-ordered-', lines);
    for (const split of ['lines', 'nul']) {
      const content = split === 'nul' ? lines.replaceAll('\n', '\0') : lines;
      const input = split === 'nul' ? fileWith('manifold-fan-relay-ordered-', content) : file;
      const go = await fifo();
      const script = `if [ "$MANIFOLD_BLOCK" = 1 ]; then read go < ${go}; cat; elif [ "$MANIFOLD_BLOCK" = 2 ]; then cat; echo go > ${go}; else cat; fi`;
      const args = fanArgs(script, '--split', split, '--block', '128K', '--input', input);
      const relayed = await run(manifold, args, '', C);
      expect(relayed.stderr.toString()).toMatch(ORDERED);
      expect(relayed.exitCode).toBe(0);
      expect(relayed.stdout.toString('latin1') === content).toBe(true);
      const read = await run(manifold, args, '', PERL);
      expect(read.stderr.toString()).not.toMatch(ORDERED);
      expect(read.stdout.equals(relayed.stdout)).toBe(true);
    }
  });

  it('blocks whose output ends without its delimiter: one between blocks, none at the end', async ({
    expect,
  }) => {
    const file = fileWith('manifold-fan-relay-ordered-', numbered(1, 30_000, 'x'.repeat(20)));
    const script = `cat > /dev/null; printf 'b%s' "$MANIFOLD_BLOCK"`;
    const args = fanArgs(script, '--block', '64K', '--input', file);
    const [relayed, read] = await Promise.all([
      run(manifold, args, '', C),
      run(manifold, args, '', PERL),
    ]);
    expect(relayed.stderr.toString()).toMatch(ORDERED);
    expect([relayed.exitCode, read.exitCode]).toEqual([0, 0]);
    const blocks = relayed.stdout.toString().split('\n');
    expect(blocks.length).toBeGreaterThan(4);
    expect(blocks).toEqual(blocks.map((_, i) => `b${i + 1}`));
    expect(relayed.stdout.equals(read.stdout)).toBe(true);
  });

  it('a later block that fails: exit 1, and nothing of it is written, though the block before it ends well', async ({
    expect,
  }) => {
    const file = fileWith('manifold-fan-relay-ordered-', numbered(1, 20_000, 'f'.repeat(40)));
    const go = await fifo();
    // Block 2 writes its records and fails before block 1 writes anything; block 1 then ends
    // well, unless the run stopped it first. Block 1 is let go only once block 2's shell is
    // gone (waited for by the starter, its status known): let go as block 2 still ran, block 1
    // could end first, and block 2, then the merge's next, be written as it came (seen once in
    // a fresh-clone CI). The one that lets it go writes nothing into block 2's output, and opens
    // the FIFO read-write, which never waits: should the run have stopped block 1, it ends.
    const release = `(while kill -0 $$ 2>/dev/null; do :; done; echo go 1<>${go}) > /dev/null 2>&1 &`;
    const script = `if [ "$MANIFOLD_BLOCK" = 1 ]; then read go < ${go}; cat; elif [ "$MANIFOLD_BLOCK" = 2 ]; then echo FAILED-BLOCK; ${release} exit 3; else cat; fi`;
    const result = await run(manifold, fanArgs(script, '--block', '128K', '--input', file), '', C);
    expect(result.stderr.toString()).toMatch(ORDERED);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.toString()).toMatch(/worker \d .*exited with status 3 on block 2/);
    expect(result.stdout.toString()).not.toContain('FAILED-BLOCK');
  });

  it('later blocks held past --merge-memory wait on their pipes; released, every block in order', async ({
    expect,
  }) => {
    // Block 1 waits until the test writes to its FIFO; blocks 2 and after each write 15-20 MB. The
    // starter holds about --merge-memory of theirs (2 MiB), then reads no more of them: their
    // commands wait on full pipes, and the starter stays small.
    const file = fileWith('manifold-fan-relay-ordered-', numbered(1, 20_000, 'm'.repeat(40)));
    const go = await fifo();
    const script = `cat > /dev/null; if [ "$MANIFOLD_BLOCK" = 1 ]; then read go < ${go}; echo first; else yes "b$MANIFOLD_BLOCK" | head -n 5000000; fi`;
    const args = fanArgs(
      script,
      '-j',
      '3',
      '--block',
      '256K',
      '--merge-memory',
      '2M',
      '--input',
      file,
    );
    const child = spawn(process.execPath, [manifold, ...args], {
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ending = finish(child, 60_000);
    let written = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      written += chunk.length;
    });
    const below = () => descendants(child.pid!);
    const starter = () => below().find((pid) => commandOf(pid).startsWith('/usr/bin/python3'));
    const held = () => below().filter((pid) => commandOf(pid) === 'head -n 5000000');
    const paused = () => held().length === 2 && held().every(writingIntoFullPipe);
    expect(await holdsWithin(paused, 20_000)).toBe(true);
    // Paused, not merely behind: still so a while later (a starter reading them takes a MiB in
    // well under a millisecond, and all of their output in a few).
    for (let i = 0; i < 10; i++) {
      await delay(30);
      expect(paused()).toBe(true);
    }
    expect(statusKiB(starter()!, 'VmHWM')).toBeLessThan(40_000);
    expect(written).toBe(0);
    await run('bash', ['-c', `echo go > ${go}`]);
    const end = await ending;
    expect(end.hung).toBe(false);
    expect(end.stderr).toMatch(ORDERED);
    expect(end.exitCode).toBe(0);
    const lines = end.stdout.toString().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines[0]).toBe('first');
    const blocks = Math.round((lines.length - 1) / 5_000_000);
    expect(blocks).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBe(1 + blocks * 5_000_000);
    for (let block = 2; block <= blocks + 1; block++) {
      const at = 1 + (block - 2) * 5_000_000;
      expect([lines[at], lines[at + 4_999_999]]).toEqual([`b${block}`, `b${block}`]);
    }
  });

  it('a reader that stops (| head -n 1): the statuses and the line that manifold gives', async ({
    expect,
  }) => {
    const file = fileWith('manifold-fan-relay-ordered-', numbered(1, 200_000, 'h'.repeat(40)));
    const script = `"$NODE" "$MANIFOLD" fan -j 2 --merge ordered --block 256K --input ${file} -- cat | head -n 1; echo "statuses \${PIPESTATUS[*]}" >&2`;
    const env = { NODE: process.execPath, MANIFOLD: manifold, LC_ALL: 'C' };
    const [relayed, read] = await Promise.all([
      run('bash', ['-c', script], '', { env }),
      run('bash', ['-c', script], '', { env: { ...env, MANIFOLD_STARTER: 'perl' } }),
    ]);
    expect(relayed.stdout.toString()).toBe(`${readFileSync(file, 'latin1').split('\n')[0]}\n`);
    expect(relayed.stdout.equals(read.stdout)).toBe(true);
    expect(relayed.stderr.toString()).toBe(read.stderr.toString());
  });
});
