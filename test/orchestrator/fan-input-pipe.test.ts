import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { randoms } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { floodExpected, floodTotals, peakWatch } from '../support/flood.js';
import { finish, watch } from '../support/spawn.js';
import { fileTempDir } from '../support/temp.js';

// `manifold fan`'s own input from a kernel pipe is read by blocking reads on the thread pool
// (workers/reads.ts `poolReads`): the copy out of the kernel off the main thread. A pipe in
// non-blocking mode, or a socket, is read by a socket instead. A stop with the pipe's writer
// stalled must not wait for it: Node's exit waits for the thread pool.

/** ~8 MiB of lines holding every byte but the newline, some of them long. */
function binaryLines(): Buffer {
  const pick = randoms(23);
  const lines: Buffer[] = [];
  for (let size = 0; size < 8 << 20; ) {
    const length = pick(10) === 0 ? 20_000 + pick(100_000) : pick(200);
    const line = Buffer.alloc(length + 1);
    for (let j = 0; j < length; j++) line[j] = (pick(255) + 11) & 0xff || 1;
    line[length] = 0x0a;
    lines.push(line);
    size += line.length;
  }
  return Buffer.concat(lines);
}

const sortedLines = (data: Buffer) => data.toString('latin1').split('\n').sort().join('\n');

/** Feeds `file` to `manifold fan args...` through a pipe in non-blocking mode (Python's). */
const NON_BLOCKING = `
import os, subprocess, sys
r, w = os.pipe()
os.set_blocking(r, False)
child = subprocess.Popen(sys.argv[2:], stdin=r)
os.close(r)
with open(sys.argv[1], 'rb') as source, os.fdopen(w, 'wb') as sink:
    sink.write(source.read())
sys.exit(child.wait())
`;

/**
 * Runs `manifold fan args...` on a pipe whose read end this script shares, and sets O_NONBLOCK
 * on it (one open file: manifold's descriptor too) once manifold's output shows its first
 * reads were taken: manifold's next read of the empty pipe fails with EAGAIN.
 */
const TURNED_NON_BLOCKING = `
import fcntl, os, subprocess, sys
r, w = os.pipe()
child = subprocess.Popen(sys.argv[1:], stdin=r, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.write(w, b'first\\n' * 1000)
child.stdout.readline()
fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_NONBLOCK)
try:
    os.write(w, b'second\\n' * 1000)
except BrokenPipeError:
    pass
# The write end stays open until manifold has ended: closed, its next read would be an end.
# With CLOSE set, it is closed now.
if os.environ.get('CLOSE'):
    os.close(w)
sys.stdout.buffer.write(child.stdout.read())
sys.stderr.write(child.stderr.read().decode())
status = child.wait()
if not os.environ.get('CLOSE'):
    os.close(w)
sys.exit(status)
`;

describe.concurrent("manifold fan's input from a kernel pipe", { timeout: 60_000 }, () => {
  const input = binaryLines();
  const cases: [string, string[], boolean][] = [
    ['ready', ['-j', '2', '--block', '256K'], false],
    ['round-robin', ['-j', '3', '--dispatch', 'round-robin'], false],
    ['hash', ['-j', '3', '--dispatch', 'hash', '--key', 'field:1'], false],
    ['ordered, --one-to-one', ['-j', '2', '--merge', 'ordered', '--one-to-one'], true],
    ['ordered, per block', ['-j', '2', '--block', '2M', '--merge', 'ordered'], true],
  ];
  for (const [name, args, exact] of cases) {
    it(`${name}: the same bytes from a blocking pipe, a non-blocking pipe and the file`, async () => {
      const dir = fileTempDir('manifold-input-pipe-');
      const file = join(dir, 'input');
      writeFileSync(file, input);
      const env = { F: file, NODE: process.execPath, MANIFOLD: manifold };
      const fan = `"$NODE" "$MANIFOLD" fan ${args.join(' ')} -- cat`;
      const piped = await run('sh', ['-c', `cat "$F" | ${fan}`], '', { env });
      const nonBlocking = await run(
        '/usr/bin/python3',
        ['-c', NON_BLOCKING, file, process.execPath, manifold, 'fan', ...args, '--', 'cat'],
        '',
      );
      const fromFile = await run('sh', ['-c', `${fan} < "$F"`], '', { env });
      for (const r of [piped, nonBlocking, fromFile]) {
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        if (exact) expect(byteDiff(r.stdout, input)).toEqual(sameBytes(input));
        else expect(sortedLines(r.stdout) === sortedLines(input)).toBe(true);
      }
    });
  }

  it('a read of the pipe that fails is one line naming stdin, exit 1', async () => {
    // Round-robin: manifold reads the pipe itself (the starter would take it, below).
    const r = await run(
      '/usr/bin/python3',
      [
        ...['-c', TURNED_NON_BLOCKING, process.execPath, manifold, 'fan', '--block', '1K'],
        ...['--dispatch', 'round-robin', '--', 'cat'],
      ],
      '',
    );
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toBe('manifold: cannot read stdin: resource temporarily unavailable\n');
  });

  it('a pipe turned non-blocking by its writer is read whole where the starter takes it', async () => {
    // The starter opens the pipe anew (`/proc/<manifold>/fd/0`): its reads block, whatever
    // the writer did to the descriptor it shares with manifold.
    const r = await run(
      '/usr/bin/python3',
      ['-c', TURNED_NON_BLOCKING, process.execPath, manifold, 'fan', '--block', '1K', '--', 'cat'],
      '',
      { env: { CLOSE: '1' } },
    );
    expect({ exitCode: r.exitCode, stderr: r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    // Its first line was read by the script; the rest is every line once.
    const lines = r.stdout
      .toString()
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.filter((line) => line === 'first')).toHaveLength(999);
    expect(lines.filter((line) => line === 'second')).toHaveLength(1000);
  });

  it('a stop while the pipe is empty and its writer alive ends the run at once', async () => {
    // The writer prints a line and then copies this test's stdin, which stays open and empty
    // until manifold has exited: manifold halts on the first failure and must exit meanwhile. A
    // read left waiting on the thread pool would keep it until the writer ends.
    const line = `{ echo a; cat; } | { "$NODE" "$MANIFOLD" fan --halt now,fail=1 -- false; echo "manifold exited $?" >&2; }`;
    const child = spawn('sh', ['-c', line], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE: process.execPath, MANIFOLD: manifold },
    });
    let stderr = '';
    const exited = new Promise<string>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const status = /manifold exited (\d+)/.exec(stderr);
        if (status !== null) resolve(status[1]!);
      });
      child.stderr.on('end', () => resolve('never (the pipeline ended first)'));
      // Past this, it waits for its writer: the writer ends below, and the test fails.
      setTimeout(() => resolve('not while its writer was alive'), 20_000).unref();
    });
    // Only once manifold has exited does the writer end.
    expect(await exited).toBe('1');
    child.stdin.end();
    const done = await finish(child, 10_000);
    expect(done.hung).toBe(false);
    // Its block is named by its bytes: a pipe's records are not counted here.
    expect(stderr, stderr).toMatch(
      /^manifold: worker \d \(pid \d+: false\) exited with status 1(; it had been given block 1 \(bytes 1-2\))?\n/,
    );
  });
});

// Not concurrent: each pushes 300 MB through, and its memory and page faults are measured
// without the other tests' load beside it. A few seconds each on a quiet machine; the default
// limit of 30 s was reached at a load of 15 on two cores, where nothing was wrong.
describe('attributed workers on a pipe', { timeout: 120_000 }, () => {
  // A block cut from a pipe's reads holds its read buffers until it is done: a worker tied to
  // its blocks may be given it again. They were never given back, so every read of the pipe
  // went into fresh memory: `cat` of 300 MB into `--one-to-one` peaked at 352 MB and took 5 s
  // (1 GiB: 21 s, against 2.6 s from the file); now 66 MB and 1 s.
  it.each([
    ['--one-to-one', ['--one-to-one']],
    ['per-block workers', []],
  ])('%s: 300 MB from a pipe, in order, reads into memory used again', async (_, mode) => {
    const megabytes = 300;
    const flood = spawn(fixture('sig-flood.js'), [String(megabytes)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onCleanup(() => flood.kill('SIGKILL'));
    const args = ['fan', '-j', '2', '--merge', 'ordered', ...mode, '--', 'cat'];
    const child = spawn(manifold, args, { stdio: [flood.stdout!, 'pipe', 'pipe'] });
    onCleanup(() => child.kill('SIGKILL'));
    flood.stdout!.destroy(); // manifold has its own copy; this process must not read it
    const stderr = watch(child.stderr!);
    const exited = once(child, 'exit');
    const peak = peakWatch(child.pid!, megabytes * 1024 * 1024);
    const [[code, signal], totals] = await Promise.all([
      exited,
      floodTotals(child.stdout!, peak.look),
    ]);
    expect({ code, signal, stderr: stderr.text }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(totals).toMatchObject(floodExpected(megabytes, true));
    expect(peak.peak).not.toBeNull();
    // Fresh memory is a page fault per 4 KiB: 41,000-46,000 faults before, 13,000-19,000 now
    // (Node's own start is some 10,000); peaks of 135-196 MB before, 75-101 MB now.
    expect(peak.faults!).toBeLessThan(30_000);
    expect(peak.peak!).toBeLessThan(150 * 1024 * 1024);
  });
});
