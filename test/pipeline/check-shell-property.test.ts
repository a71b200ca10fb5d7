import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { missingPrograms } from '../../orchestrator/config/commands.js';
import { SEED } from '../support/property.js';
import { tempDir } from '../support/temp.js';

// A shell string's check refuses a program only if `sh -c` runs it: lines drawn from a
// grammar of here-documents, comments, case arms, escapes, builtins, conditions and loops,
// with programs present (`ok`) and missing (`nx1`...), are checked and then run. The check
// refused lines sh ran ("hello: command not found" for a here-document's text).

const SIMPLE = [
  'ok',
  'nx1',
  'nx2 -x',
  'true',
  'false',
  ':',
  'readonly >/dev/null',
  'times >/dev/null',
  'hash',
  'echo a\\;nx3',
  'echo "nx1 | nx2"',
  "echo 'nx3; nx1'",
  'X=1 nx2',
  'R=$(nx3)',
  'ok 2>&1',
  'echo `nx1`',
  'echo $((1<<2))',
];

const line = fc.letrec<{ list: string; pipeline: string; command: string }>((tie) => ({
  list: fc
    .tuple(
      tie('pipeline'),
      fc.array(fc.tuple(fc.constantFrom('; ', ' && ', ' || ', '\n', ' & '), tie('pipeline')), {
        maxLength: 3,
      }),
    )
    .map(([first, rest]) => first + rest.map(([sep, p]) => sep + p).join('')),
  pipeline: fc
    .array(tie('command'), { minLength: 1, maxLength: 2 })
    .map((commands) => commands.join(' | ')),
  command: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'line' },
    { arbitrary: fc.constantFrom(...SIMPLE), weight: 8 },
    // Rare, as each makes what follows it unsure.
    fc.constantFrom('break', 'continue', 'exec ok', 'set -e', 'exit 3'),
    fc.constantFrom(...SIMPLE).map((c) => `{ ${c} # nx1 | nx2; nx3 &\n}`),
    fc.constant('{ ok <<E\nnx1 | nx2\nE\n}'),
    fc.constant('{ ok <<-"E"; nx3\n\tnx1 ; nx2\n\tE\n}'),
    tie('list').map((l) => `echo "$(${l})"`),
    fc.tuple(tie('list'), tie('list'), tie('list')).map(([a, b, c]) => {
      return `if ${a}; then ${b}; else ${c}; fi`;
    }),
    // At most two rounds in all (n is the line's), whatever `continue` the lists hold.
    fc
      .tuple(tie('list'), tie('list'))
      .map(([a, b]) => `while [ $((n=n+1)) -lt 3 ] && { ${a}; }; do ${b}; done`),
    tie('list').map((l) => `for i in 1 2; do ${l}; done`),
    tie('list').map((l) => `{ ${l}; }`),
    tie('list').map((l) => `( ${l} )`),
    fc.constant('exec 3>&-'),
    tie('list').map((l) => `case x in\n  y|x) ${l};;\n  *) nx1;;\nesac`),
    tie('list').map((l) => `f() { ${l}; }`),
  ),
}));

it('refuses only programs that sh -c then says are not found', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'ok'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const env = { PATH: dir };
  let checked = 0;
  let refusals = 0;
  fc.assert(
    fc.property(line.list, (script) => {
      if (spawnSync('/bin/sh', ['-n', '-c', script]).status !== 0) return;
      checked++;
      const refused = missingPrograms({ argv: [script], shell: true, env }, dir);
      const ran = spawnSync('/bin/sh', ['-c', script], { env, encoding: 'utf8', timeout: 5000 });
      expect(ran.error, script).toBeUndefined();
      refusals += refused.length;
      for (const problem of refused) {
        const name = problem.replace(/: command not found$/, '');
        expect(ran.stderr, `${script}\nrefused: ${problem}`).toContain(`${name}: not found`);
      }
    }),
    { seed: SEED + 71, numRuns: 150 },
  );
  // The grammar draws lines sh reads, most checked, not skipped; and programs are refused.
  expect({ checked: checked > 120, refusals: refusals > 20 }).toEqual({
    checked: true,
    refusals: true,
  });
}, 60_000);
