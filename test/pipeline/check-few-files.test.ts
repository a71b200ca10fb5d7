import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { nodeFileFloor, quote, sweepFileLimits } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// `manifold check` under an open-file limit so low that Node can barely start. A config's
// packages (yaml, globbing) are a file of their own beside manifold's bundle (build.mjs), opened
// as the command loads them: out of descriptors there, Node's `Error: EMFILE`, exit 1, was said.

const HANG_MS = 20_000;

it(
  'a limit so low Node can barely start: the one line or the check, never a stack trace',
  async () => {
    const dir = tempDir('manifold-check-files-');
    writeFileSync(join(dir, 'in.txt'), 'a\n');
    writeFileSync(join(dir, 'c.yaml'), 'input: in.txt\nstages:\n  - run: cat\n');
    const limit = await nodeFileFloor(dir, HANG_MS);
    const seen = await sweepFileLimits(
      limit,
      limit + 12,
      `cd ${quote(dir)} && exec ${quote(manifold)} check c.yaml < /dev/null`,
      HANG_MS,
      // The start's one line, or the config's file not read, at its place.
      (result) =>
        result.exitCode === 0 && result.stderr === ''
          ? 'works'
          : result.exitCode === 2 && /^(manifold|c\.yaml:1:1): [^\n]+\n$/.test(result.stderr)
            ? 'refused'
            : null,
    );
    expect(seen.filter((outcome) => !/^(works|refused)$/.test(outcome))).toEqual([]);
    // The sweep reaches a limit where the check works: it tried the edge, not refusals alone.
    expect(seen.at(-1)).toBe('works');
    expect(seen).toContain('refused');
  },
  30 * HANG_MS,
);
