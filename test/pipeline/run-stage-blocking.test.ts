import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A stage's stdout and stderr, where they are manifold's own pipe, are open files of its own:
// Node writes manifold's stderr without blocking, and a stage that shared that open file (its
// stderr, and its stdout under `2>&1`) shared O_NONBLOCK. Once a per-block fan's process
// starter had made manifold's stderr non-blocking again, a stage after it met EAGAIN writing
// to a slow reader and died mid-line (`cat: write error: Resource temporarily unavailable`).

const PROBE = `/usr/bin/python3 -c "import os; print(os.get_blocking(1), os.get_blocking(2))"`;

describe("a stage writing to manifold's own stdout and stderr", () => {
  for (const fan of ['merge: ordered', 'retries: 1', 'attribution: per-block', 'merge: ready']) {
    it(`after a fan with ${fan}, writes them blocking, as a shell's command does`, async () => {
      const dir = tempDir();
      const config = writeConfig(
        dir,
        [
          'stages:',
          '  - fan:',
          `      ${fan}`,
          '      worker: cat',
          `  - run: 'cat >/dev/null; ${PROBE}; ${PROBE} >&2'`,
          '',
        ].join('\n'),
      );
      // stdout and stderr the same pipe, as `manifold run x.yaml 2>&1 | less` gives.
      const result = await execa(
        'sh',
        ['-c', `seq 1000 | node ${manifold} run "$1" 2>&1 | cat`, 'sh', config],
        {
          reject: false,
        },
      );
      expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({
        exitCode: 0,
        stdout: 'True True\nTrue True',
      });
    });
  }
});
