import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { openPipes } from '../../orchestrator/pipeline/pipes.js';
import { fixture, manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { floodExpected, floodTotals, peakWatch } from '../support/flood.js';
import { linesOf, records } from '../support/lines.js';
import { watch } from '../support/spawn.js';

// The Unix manners of `manifold fan` with its stdio: a terminal on stdin, a slow reader of
// stdout, and its workers' stderr passed on, tagged or not.

describe('stdin is a terminal', () => {
  const hasScript = ['/usr/bin/script', '/bin/script'].some((path) => existsSync(path));

  it('is refused with a hint, exit 2', async (context) => {
    if (!hasScript)
      context.skip('util-linux `script` is not installed: no way to give manifold a tty');
    const result = await execa('script', ['-qec', `${manifold} fan -- cat`, '/dev/null'], {
      reject: false,
      timeout: 10_000,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stdout.trim()).toMatch(
      /^manifold: stdin is a terminal: pipe data in .* or name files with --input$/,
    );
  });
});

// Concurrent: each test spends its time waiting, on a timer of its own reader's; three at once
// overlap those waits, and each watches its own manifold's peak.
describe.concurrent('a slow reader of stdout', () => {
  // The reader takes at most 32 MiB/s: 1 MiB, then a pause of 32 ms. It paused 2 ms after every
  // read (64 KiB), the same rate, but 300 MB then waited on 4,800 timers, each late by as long as
  // the process waits for a core once it fires: under heavy load (33 on 2 cores) the cases
  // passed their 90 s. 300 MB waits on 300 timers now.
  const PACE_BYTES = 1024 * 1024;
  const PACE_MS = 32;
  // A socket pair is what a Node parent gives; a kernel pipe what a shell gives, and manifold
  // writes it from the thread pool; should the pipe be non-blocking (another process sharing it
  // set O_NONBLOCK), those writes fail with EAGAIN and a libuv stream takes over. --stats makes
  // the output pass through manifold: without it the process starter writes the workers' output
  // to stdout itself, manifold holds none of it, and these tests could not fail (its writer not
  // pausing the workers for a full stdout left the peak at 65-75 MB). Now that leak peaks at
  // 137-159 MB at 150 MB; a socket sink's buffers not given back (f128018) at 143 MB at 300 MB,
  // 123 MB at 150, so the libuv streams keep 300 MB.
  it.each([
    ['a socket pair', 300, 'socket'],
    ['a kernel pipe', 150, 'pipe'],
    ['a non-blocking kernel pipe', 300, 'non-blocking pipe'],
  ] as const)(
    'on %s keeps manifold under 120 MB while %i MB go through, and gets all of it',
    async (_, megabytes, kind) => {
      const total = megabytes * 1024 * 1024;
      const flood = spawn(fixture('sig-flood.js'), [String(megabytes)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      onCleanup(() => flood.kill('SIGKILL'));
      // A kernel pipe as `manifold run` makes them; its read end becomes the stream read below.
      const pipe = kind === 'socket' ? null : openPipes(1)[0]!;
      const command = [manifold, 'fan', '-j', '2', '--stats', '/dev/null', '--', 'cat'];
      // The fixture execs manifold, which keeps its pid: the peak below is manifold's.
      if (kind === 'non-blocking pipe') command.unshift(fixture('nonblocking-stdout'));
      const child = spawn(command[0]!, command.slice(1), {
        stdio: [flood.stdout!, pipe?.write ?? 'pipe', 'pipe'],
      });
      onCleanup(() => child.kill('SIGKILL'));
      flood.stdout!.destroy(); // manifold has its own copy; this process must not read it
      if (pipe !== null) closeSync(pipe.write); // nor keep the pipe open: its end comes with manifold's
      const stderr = watch(child.stderr!);
      const exited = once(child, 'exit');

      const stdout = pipe === null ? child.stdout! : new Socket({ fd: pipe.read, writable: false });
      onCleanup(() => stdout.destroy());
      const peak = peakWatch(child.pid!, total);
      let pausedAt = 0;
      const read = floodTotals(stdout, (bytes) => {
        peak.look(bytes);
        // A slow reader: a pause after every MiB read. (Pacing, not synchronisation.)
        if (bytes - pausedAt < PACE_BYTES) return;
        pausedAt = bytes;
        stdout.pause();
        setTimeout(() => stdout.resume(), PACE_MS);
      });
      const [[code], totals] = await Promise.all([exited, read]);

      expect({ code, stderr: stderr.text }).toEqual({ code: 0, stderr: '' });
      expect(totals).toMatchObject(floodExpected(megabytes, false));
      expect(peak.peak).not.toBeNull();
      // 81-90 MB by hand in each form. A socket's was 141-152 MB, and now and then past 200,
      // before its written output's memory went back to be read into again (StreamSink.write).
      expect(peak.peak!).toBeLessThan(120 * 1024 * 1024);
    },
    // Paced by a timer after every read, they took 13.7-16.0 s of the 40 s they had in three
    // passing CI runs; a timer late on a busy core costs each pause, so 90 s, for a hang.
    90_000,
  );
});

describe("workers' stderr", () => {
  const input = records(1, 200);

  it('passes through unchanged without --tag', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '256', '--', fixture('sig-stderr')],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(linesOf(result.stdout).sort()).toEqual(linesOf(input));
    expect(linesOf(result.stderr).sort()).toEqual(linesOf(input).map((l) => `sig-stderr: ${l}`));
  });

  it('is prefixed with the worker number and a TAB under --tag, as the output is', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '256', '--tag', '--', fixture('sig-stderr')],
      input,
    );
    expect(result.exitCode).toBe(0);
    const byWorker = (lines: string[], pattern: RegExp) =>
      new Map(
        lines.map((line) => {
          const match = pattern.exec(line);
          expect(match, line).not.toBeNull();
          return [match![2]!, match![1]!] as const;
        }),
      );
    const out = byWorker(linesOf(result.stdout), /^([12])\t(\d{15})$/);
    const err = byWorker(linesOf(result.stderr), /^([12])\tsig-stderr: (\d{15})$/);
    expect([...out.keys()].sort()).toEqual(linesOf(input));
    expect(new Set(out.values())).toEqual(new Set(['1', '2']));
    // Each line is said on stderr with the number of the worker that wrote it on stdout.
    expect(err).toEqual(out);
    expect(linesOf(result.stderr)).toHaveLength(200);
  });
});
