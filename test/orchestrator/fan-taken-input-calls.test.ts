import { spawn, spawnSync } from 'node:child_process';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { C } from '../support/fan-run.js';
import { finish } from '../support/spawn.js';
import { fileTempDir } from '../support/temp.js';

// What the process starter's input thread asks of the kernel per piece it moves, counted by
// strace: small pieces (--block 16) cost a tee and a read each, four FIONREADs and four fcntls
// to weigh the two workers' room three times over, and a poll for the workers ready.

const traced = spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;

/**
 * `manifold fan -j 2 --block 16 -- cat` under strace, `lines` numbered lines all in its input
 * pipe before it starts (so each tee finds all that is left there): every record checked out
 * once, and the calls of the starter's input thread (the one that tees).
 */
async function tracedFan(lines: number) {
  const content = Array.from({ length: lines }, (_, i) => `${i + 1}\n`).join('');
  const [input] = openPipes(1);
  onCleanup(() => closeAll([input!.write]));
  writeSync(input!.write, content);
  closeSync(input!.write);
  const log = join(fileTempDir('manifold-taken-calls-'), 'strace');
  const trace = ['-f', '-qq', '-e', 'trace=tee,splice,ioctl,poll', '-o', log];
  const fan = ['fan', '-j', '2', '--block', '16', '--verbose', '--', 'cat'];
  const child = spawn('strace', [...trace, process.execPath, manifold, ...fan], {
    stdio: [input!.read, 'pipe', 'pipe'],
    env: { ...process.env, ...C.env },
  });
  closeSync(input!.read);
  const { exitCode, stdout, stderr, hung } = await finish(child, 120_000);
  expect({ exitCode, hung }).toEqual({ exitCode: 0, hung: false });
  expect(stderr).toMatch(/input: the process starter reads the pipe itself/);
  const records = (text: string) => text.split('\n').filter((line) => line !== '');
  expect(records(stdout.toString()).sort()).toEqual(records(content).sort());
  const calls = readFileSync(log, 'latin1').split('\n');
  const thread = /^(\d+) +tee\(/.exec(calls.find((line) => /^\d+ +tee\(/.test(line)) ?? '')?.[1];
  expect(thread).toBeDefined();
  const own = calls.filter((line) => line.startsWith(`${thread} `));
  const count = (call: RegExp) => own.filter((line) => call.test(line)).length;
  // Pieces of at most 16 bytes (a record or two each), each spliced into a worker's pipe.
  const pieces = count(/^\d+ +splice\(/);
  expect(pieces).toBeGreaterThanOrEqual(content.length / 16);
  return { pieces, count };
}

describe.skipIf(!traced)('input taken by the process starter, pieces under 16 KiB', () => {
  it('one tee and one read for many pieces, one FIONREAD a worker a piece, every record once', async () => {
    const { pieces, count } = await tracedFan(4000);
    // One tee of all the pipe holds, one of its last piece (less than the block: the pipe may
    // hold more by then), and one finding its end, not a tee a piece (1,246).
    expect(count(/^\d+ +tee\(/)).toBeLessThanOrEqual(3);
    // A worker's room, asked once a piece (two workers), not four times.
    expect(count(/FIONREAD/)).toBeLessThanOrEqual(2 * pieces + 2);
  }, 150_000);

  it('no poll a piece while the workers have room for it', async () => {
    // ~450 pieces: fewer than a 1 MiB pipe's 256 buffers each, so no worker's pipe can be full
    // even if it reads none of them: asking which workers are ready (a poll a piece) is not
    // needed.
    const { pieces, count } = await tracedFan(1500);
    expect({ pieces: pieces > 0, polls: count(/^\d+ +poll\(/) }).toEqual({
      pieces: true,
      polls: 0,
    });
  }, 150_000);
});
