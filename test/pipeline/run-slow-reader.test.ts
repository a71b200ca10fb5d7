import { describe, expect, it } from 'vitest';
import { collect, spawnManifold, waitForExit, within } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A combiner whose reader is slower than its branches waits for its output to drain, again and
// again: a listener was left behind per wait, and past ten Node warned on stderr
// (MaxListenersExceededWarning), in a run that was otherwise right.

/** 60 MB of numbered lines: the output (twice that) fills manifold's 8 MiB output buffer many times. */
const INPUT = Array.from({ length: 7_500_000 }, (_, i) => `${String(i).padStart(7, '0')}\n`).join(
  '',
);

describe('a combiner read slowly', () => {
  it.each(['concat', 'merge'])(
    'combine: %s gives every record and says nothing on stderr',
    { timeout: 60_000 },
    async (combine) => {
      const config = writeConfig(
        tempDir(),
        [
          'stages:',
          '  - branches:',
          '      a:',
          '        - run: cat',
          '      b:',
          '        - run: cat',
          `    combine: ${combine}`,
          '',
        ].join('\n'),
      );
      const child = spawnManifold(['run', config]);
      const stderr = collect(child.stderr);
      const exit = waitForExit(child);
      child.stdin!.end(INPUT);
      // The reader: a chunk at a time, each after a pause, so that manifold's output fills.
      let bytes = 0;
      const ended = new Promise<void>((resolve) => {
        const stdout = child.stdout!;
        stdout.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          stdout.pause();
          setTimeout(() => stdout.resume(), 1);
        });
        stdout.on('end', resolve);
      });
      await within(ended, 50_000, 'the output did not end');
      expect((await exit).exitCode).toBe(0);
      expect((await stderr).toString()).toBe('');
      expect(bytes).toBe(2 * INPUT.length);
    },
  );
});
