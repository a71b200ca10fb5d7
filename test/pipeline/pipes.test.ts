import { execFileSync } from 'node:child_process';
import { readlinkSync, readSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, endHelper, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { statFields } from '../../orchestrator/workers/proc-stat.js';
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

  it('the helper that held the pipes has ended, not only been killed, when they are open', () => {
    // A process killed ends when it next runs: right after process.kill, a sleeper as the pipe
    // maker leaves (holding 12 pipes, not our child) was still running in 89 of 100 tries here,
    // and a manifold exiting next left it behind.
    const maker =
      'my @p; for (1 .. 12) { pipe(my $r, my $w) or die; push @p, $r, $w }' +
      ' my $pid = fork // die; if ($pid == 0) { close STDIN; close STDOUT; close STDERR; sleep 60; exit 0 }' +
      ' print "$pid\\n"';
    for (let i = 0; i < 10; i++) {
      const pid = Number(execFileSync('perl', ['-e', maker], { encoding: 'latin1' }).trim());
      endHelper(pid);
      expect(statFields(pid)?.[0] ?? 'gone', `try ${i + 1}`).toMatch(/^(Z|X|gone)$/);
    }
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
