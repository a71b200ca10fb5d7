import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { finish, hasStackTrace, quote, spawnShell } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// `manifold check` under an open-file limit so low that Node can barely start. A config's
// packages (yaml, globbing) are a file of their own beside manifold's bundle (build.mjs), opened
// as the command loads them: out of descriptors there, Node's `Error: EMFILE`, exit 1, was said.

const HANG_MS = 20_000;

it(
  'a limit so low Node can barely start: the one line or the check, never a stack trace',
  async () => {
    const dir = tempDir('manifold-check-files-');
    writeFileSync(join(dir, 'a.mjs'), '');
    writeFileSync(join(dir, 'in.txt'), 'a\n');
    writeFileSync(join(dir, 'c.yaml'), 'input: in.txt\nstages:\n  - run: cat\n');
    // The lowest limit under which Node runs an ES module at all (fan-resources.test.ts).
    let limit = 16;
    const nodeRuns = async (n: number) => {
      const child = spawnShell(
        `ulimit -n ${n} && exec ${quote(process.execPath)} ${quote(join(dir, 'a.mjs'))}`,
      );
      return (await finish(child, HANG_MS)).exitCode === 0;
    };
    while (!(await nodeRuns(limit))) limit++;
    const seen = [];
    for (let n = limit; n <= limit + 12; n++) {
      const child = spawnShell(
        `cd ${quote(dir)} && ulimit -n ${n} && exec ${quote(manifold)} check c.yaml < /dev/null`,
      );
      const result = await finish(child, HANG_MS);
      const works = result.exitCode === 0 && result.stderr === '';
      // The start's one line, or the config's file not read, at its place.
      const refused =
        result.exitCode === 2 && /^(manifold|c\.yaml:1:1): [^\n]+\n$/.test(result.stderr);
      seen.push({
        stackTrace: hasStackTrace(result.stderr),
        outcome: works
          ? 'works'
          : refused
            ? 'refused'
            : `${n}: exit ${result.exitCode}: ${result.stderr.slice(0, 200)}`,
      });
    }
    expect(seen.filter((one) => one.stackTrace || !/^(works|refused)$/.test(one.outcome))).toEqual(
      [],
    );
    // The sweep reaches a limit where the check works: it tried the edge, not refusals alone.
    expect(seen.at(-1)?.outcome).toBe('works');
    expect(seen.some((one) => one.outcome === 'refused')).toBe(true);
  },
  30 * HANG_MS,
);
