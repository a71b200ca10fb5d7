import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin } from '../support/proc.js';
import { collect, hasStackTrace, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A job log that could not be written mid-run (a full disk, a reader gone) crashed manifold
// with Node's stack trace; one that took no header (/dev/full) failed the run after it ran, as
// `manifold: Error: ENOSPC: ...`, and a --stats file so too, neither named.

const lines = Array.from({ length: 100 }, (_, i) => `${i + 1}\n`).join('');

describe('a job log or --stats file that cannot be written', () => {
  it('--joblog /dev/full: nothing runs, exit 2, one line naming it', async () => {
    const result = await run(manifold, ['fan', '--joblog', '/dev/full', '--', 'cat'], lines);
    expect(result.exitCode).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toBe(
      'manifold: cannot write the job log /dev/full: no space left on device (ENOSPC)\n',
    );
  });

  // The --stats file was made by its check, and left empty when the job log then refused the
  // run (QA): a refused run writes no summary. One there before keeps what it held.
  it('a --stats file beside a job log that cannot be written: none made, one there kept', async () => {
    const dir = tempDir();
    const made = join(dir, 'new.json');
    const args = (stats: string) => ['fan', '--stats', stats, '--joblog', '/dev/full', '--', 'cat'];
    expect((await run(manifold, args(made), lines)).exitCode).toBe(2);
    expect(existsSync(made)).toBe(false);
    const kept = join(dir, 'old.json');
    writeFileSync(kept, 'before\n');
    expect((await run(manifold, args(kept), lines)).exitCode).toBe(2);
    expect(readFileSync(kept, 'utf8')).toBe('before\n');
  });

  it('--stats /dev/full: the output is whole, exit 1, one line naming it', async () => {
    const result = await run(manifold, ['fan', '--stats', '/dev/full', '--', 'cat'], lines);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe(lines);
    expect(result.stderr).toBe(
      'manifold: cannot write the --stats file /dev/full: no space left on device (ENOSPC)\n',
    );
  });

  it('a job log whose reader goes mid-run: exit 1, one line naming it, no stack trace', async () => {
    const fifo = join(tempDir(), 'joblog');
    await run('mkfifo', [fifo], '');
    const child = spawn(
      manifold,
      ['fan', '-j', '2', '--block', '64', '--joblog', fifo, '--', 'cat'],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    onCleanup(() => child.kill('SIGKILL'));
    const stderr = collect(child.stderr);
    // The header, read by a reader that then goes: the rows, written as blocks end, meet EPIPE.
    // The open waits for manifold's; the blocks wait for the input, given only once it has gone.
    // Not blocking, so that a manifold that never opens it fails the test instead of hanging it.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const header = Buffer.alloc(4096);
    let got = 0;
    const headerRead = () => {
      try {
        got += readSync(reader, header, got, header.length - got, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
      return header.subarray(0, got).includes('\n');
    };
    expect(await holdsWithin(headerRead, 20_000), 'the header within 20 s').toBe(true);
    closeSync(reader);
    child.stdin!.end(lines.repeat(100));
    const [code] = await within(once(child, 'exit'), 20_000, () => 'manifold hung');
    const said = (await stderr).toString();
    expect(hasStackTrace(said), said).toBe(false);
    expect(said).toBe(`manifold: cannot write the job log ${fifo}: broken pipe (EPIPE)\n`);
    expect(code).toBe(1);
  });

  // The default mode said `no space left on device (ENOSPC)`; the others Node's own words.
  it.each([
    ['ready'],
    ['ordered', '--merge', 'ordered'],
    ['tagged', '--tag'],
    ['one-to-one', '--one-to-one', '--merge', 'ordered'],
    ['per-block', '--per-block'],
  ])('stdout /dev/full (%s): exit 1, the system’s words in one line', async (_name, ...mode) => {
    const result = await run(
      'sh',
      ['-c', '"$@" > /dev/full', 'sh', manifold, 'fan', '-j', '2', ...mode, '--', 'cat'],
      lines.repeat(2000),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('manifold: cannot write stdout: no space left on device (ENOSPC)\n');
  });
});

// A summary or job log for stderr, '-', into a stderr that takes nothing: the run said 0, its
// document lost. Now 1, as a coreutils program whose stderr fails; there is nowhere to say why.
describe("a report for stderr ('-') that stderr does not take", () => {
  it.each([
    ['fan --stats -', ['fan', '-j', '2', '--stats', '-', '--', 'cat']],
    ['fan --joblog -', ['fan', '-j', '2', '--joblog', '-', '--', 'cat']],
    ['fan --verbose', ['fan', '-j', '2', '--verbose', '--', 'cat']],
  ])('%s, 2>/dev/full: the output whole, exit 1', async (_name, args) => {
    const result = await run('sh', ['-c', '"$@" 2>/dev/full', 'sh', manifold, ...args], lines);
    expect(result.stdout.toString()).toBe(lines);
    expect(result.exitCode).toBe(1);
    // Where stderr takes it, the same run succeeds.
    const fine = await run(manifold, args, lines);
    expect(fine.exitCode).toBe(0);
    expect(fine.stderr.length).toBeGreaterThan(0);
  });

  // A pipe whose reader has gone before the summary is written: SIGPIPE, as a shell's program
  // writing there dies (it was 0; then 1, as for a full disk). The pipe's reader is closed before
  // manifold starts: no race with its going.
  it('fan --stats -, stderr a pipe with no reader: killed by SIGPIPE, the output whole', async () => {
    const script =
      'import os, subprocess, sys\nr, w = os.pipe()\nos.close(r)\nprint(subprocess.call(sys.argv[1:], stderr=w))';
    const args = ['fan', '-j', '2', '--stats', '-', '--', 'cat'];
    const result = await run('/usr/bin/python3', ['-c', script, manifold, ...args], lines);
    // subprocess.call says a death by signal N as -N: SIGPIPE is 13.
    expect(result.stdout.toString()).toBe(`${lines}-13\n`);
  });

  // A failed run's line into it: the run failed, exit 1, as `manifold run` ends (141 would read
  // as a reader gone). Workers killed by SIGPIPE writing there made it 1 or 141 as the line's
  // write fell, during the run or after it (QA: 1 141 141 1 1 1).
  it('a failing run, stderr a pipe whose reader goes: exit 1, every time', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await run('bash', [
        '-c',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's, not JavaScript's.
        'seq 100000 | "$@" 2>&1 >/dev/null | head -1 >/dev/null; exit ${PIPESTATUS[1]}',
        'bash',
        manifold,
        ...['fan', '-j', '2', '--', 'sh', '-c', 'cat >&2'],
      ]);
      statuses.push(result.exitCode!);
    }
    expect(statuses).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('run --stats -, 2>/dev/full: the output whole, exit 1', async () => {
    const config = join(tempDir(), 'c.yaml');
    await run('sh', ['-c', `printf 'stages:\\n  - name: a\\n    run: cat\\n' > ${config}`], '');
    const args = ['run', '--stats', '-', config];
    const result = await run('sh', ['-c', '"$@" 2>/dev/full', 'sh', manifold, ...args], lines);
    expect(result.stdout.toString()).toBe(lines);
    expect(result.exitCode).toBe(1);
    expect((await run(manifold, args, lines)).exitCode).toBe(0);
  });
});
