import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { descendants, holdsWithin, killFamily, leftovers, tracked } from '../support/proc.js';
import { watch, within } from '../support/spawn.js';
import { fileWith, tempDir } from '../support/temp.js';

// A sorted merge that spills (fan/held-runs.ts) merges its runs into files on the main thread:
// a signal must still be heard within a slice of that work (fan/slice.ts), not after it.

/** The spill files `pid` holds open: unlinked at once, seen in /proc as `(deleted)`. */
function spillFiles(pid: number, dir: string): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(join(dir, 'manifold-merge-'));
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  } catch {
    return 0; // gone
  }
}

describe('--merge sorted spilling to disk', () => {
  it('stops at once on SIGINT while a spill merges: workers stopped, nothing left, 130', async () => {
    // 2M JSON records, ascending: each per-block `cat` gives a sorted run of 1 MB. Past 50 MB
    // held (each record's bytes and 16), the merge spills: one merge of the ~36 complete runs in
    // memory, ~1.7M records, each comparison reading two records' JSON. Done in one go on the
    // main thread, it took ~3.8 s here, the SIGINT heard after it (~60 ms once in slices).
    const input = fileWith(
      'sorted-spill-signal-',
      Array.from({ length: 2_000_000 }, (_, i) => `{"k":${i}}\n`).join(''),
    );
    const tmp = join(tempDir('manifold-spill-'), 'tmp');
    mkdirSync(tmp);
    const stdin = openSync(input, 'r');
    onCleanup(() => closeSync(stdin));
    const args = ['-j', '2', '--per-block', '--block', '1M', '--merge', 'sorted'];
    const keyed = ['--key', 'json:k', '--numeric', '--merge-memory', '50M', '--tmpdir', tmp];
    const child: ChildProcess = spawn(manifold, ['fan', ...args, ...keyed, '--', 'cat'], {
      stdio: [stdin, 'ignore', 'pipe'],
    });
    onCleanup(() => killFamily(child));
    const stderr = watch(child.stderr!);
    const exited = once(child, 'exit');

    // The first spill file is made as the merge into it begins.
    const spilling = await holdsWithin(() => spillFiles(child.pid!, tmp) > 0, 60_000);
    expect(spilling, 'manifold spilled within 60 s').toBe(true);
    const family = tracked(descendants(child.pid!));
    const sent = performance.now();
    child.kill('SIGINT');
    const [code, signal] = await within(exited, 30_000, 'manifold did not exit within 30 s');
    const took = performance.now() - sent;

    expect({ code, signal, stderr: stderr.text }).toEqual({ code: 130, signal: null, stderr: '' });
    // The stop sequence itself takes ~50 ms here: a wide margin for a loaded machine, and well
    // under the merge's seconds.
    expect(took, 'ms from SIGINT to exit').toBeLessThan(1500);
    expect(await leftovers(family, 5000)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
