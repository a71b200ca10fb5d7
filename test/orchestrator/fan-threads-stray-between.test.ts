import { existsSync, watch as watchDir, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { holdsWithin } from '../support/proc.js';
import { spawnManifold, waitForExit, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A thread's filter whose timer threw between blocks (after one, while it waited for the next)
// ended the thread at once, with no block in flight: "worker 1 (thread 1: ...) exited with
// status 1", and the run halted, --retries or not, the rest of the input lost (or, with blocks
// sent to it meanwhile, one of those was charged and run again: it depended on timing). A
// process, whose timers do not run while it waits for its next block, fails that block, which
// --retries runs again. A thread now holds the error until its next block comes, as a process
// does: the same filter, the same run.

/** Resolves once `file` exists (made by the fixture), watching its folder. */
function made(dir: string, name: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watchDir(dir, () => {
      if (existsSync(`${dir}/${name}`)) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(`${dir}/${name}`)) {
      watcher.close();
      resolve();
    }
  });
}

/** The last record of the first block of `text` that --block `size` cuts: whole records within it. */
function lastOfFirstBlock(text: string, size: number): string {
  let bytes = 0;
  let last = '';
  for (const record of text.split('\n')) {
    bytes += record.length + 1;
    if (bytes > size) return last;
    last = record;
  }
  return last;
}

// A process's filter reads its stdin synchronously: no timer of its own runs between blocks.
describe('an error thrown between blocks, in a thread', () => {
  const kind = ['--threads'];
  it('fails the next block, which --retries runs again: the output is whole', async () => {
    const dir = tempDir();
    const flaky = tempDir();
    const args = ['fan', '-j', '1', '--block', '64K', '--retries', '1', ...kind, '--'];
    const child = spawnManifold([...args, fixture('stray-between.js')], {
      STRAY_DIR: dir,
      FLAKY_DIR: flaky,
    });
    const out = watch(child.stdout!);
    const err = watch(child.stderr!);
    const first = `!later\n${numbered(1, 20_000)}`;
    child.stdin!.write(first);
    // Block 1's output: the filter has done it, and waits for the next (the rest is held).
    const last = lastOfFirstBlock(first, 64 * 1024);
    await within(out.waitFor(new RegExp(`^${last}$`), 1), 20_000, 'no output of block 1');
    const thrown = made(dir, 'thrown');
    writeFileSync(`${dir}/go`, '');
    await within(thrown, 20_000, 'the filter did not throw');
    // The thread goes on waiting for its next block, as a process would: it does not end now.
    expect(await holdsWithin(() => err.text.includes('exited with status'), 1000)).toBe(false);
    const second = numbered(20_001, 40_000);
    child.stdin!.end(second);
    const end = await within(waitForExit(child), 30_000, () => `no end: ${err.text}`);
    expect(err.text).toBe('stray-between: worker 1: uncaught exception: Error: late timer\n');
    expect(end.exitCode).toBe(0);
    expect(out.text === first + second).toBe(true);
  });
});
