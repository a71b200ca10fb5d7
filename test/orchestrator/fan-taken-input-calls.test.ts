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
// strace: small pieces (--block 16) cost a tee and a read each, and four FIONREADs and four
// fcntls a piece to weigh the two workers' room three times over.

const traced = spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;

describe.skipIf(!traced)('input taken by the process starter, pieces under 16 KiB', () => {
  it('one tee and one read for many pieces, one FIONREAD a worker a piece, every record once', async () => {
    // All of the input is in the pipe before manifold starts: each tee finds it all there.
    const content = Array.from({ length: 4000 }, (_, i) => `${i + 1}\n`).join('');
    const [input] = openPipes(1);
    onCleanup(() => closeAll([input!.write]));
    writeSync(input!.write, content);
    closeSync(input!.write);
    const log = join(fileTempDir('manifold-taken-calls-'), 'strace');
    const trace = ['-f', '-qq', '-e', 'trace=tee,splice,ioctl', '-o', log];
    const child = spawn(
      'strace',
      [
        ...trace,
        process.execPath,
        manifold,
        'fan',
        '-j',
        '2',
        '--block',
        '16',
        '--verbose',
        '--',
        'cat',
      ],
      { stdio: [input!.read, 'pipe', 'pipe'], env: { ...process.env, ...C.env } },
    );
    closeSync(input!.read);
    const { exitCode, stdout, stderr, hung } = await finish(child, 120_000);
    expect({ exitCode, hung }).toEqual({ exitCode: 0, hung: false });
    expect(stderr).toMatch(/input: the process starter reads the pipe itself/);
    const lines = (text: string) => text.split('\n').filter((line) => line !== '');
    expect(lines(stdout.toString()).sort()).toEqual(lines(content).sort());
    const calls = readFileSync(log, 'latin1').split('\n');
    const count = (call: RegExp) => calls.filter((line) => call.test(line)).length;
    // Pieces of at most 16 bytes (a record or two each), each spliced into a worker's pipe.
    const pieces = count(/^\d+ +splice\(/);
    expect(pieces).toBeGreaterThanOrEqual(content.length / 16);
    // One tee of all the pipe holds, one of its last piece (less than the block: the pipe may
    // hold more by then), and one finding its end. Before: a tee a piece (1,300 or so).
    expect(count(/^\d+ +tee\(/)).toBeLessThanOrEqual(3);
    // A worker's room, asked once a piece (two workers). Before: four a piece.
    expect(count(/FIONREAD/)).toBeLessThanOrEqual(2 * pieces + 2);
  }, 150_000);
});
