import fc from 'fast-check';
import { quoteName } from '../../filters/errors.js';
import type { Result } from '../helpers.js';
import { SEED } from './property.js';

// Randomized audits of what a command says of bad input: a documented exit status, one line
// naming what is wrong (or, for a config, one line per problem, each at its line:column), and
// never a stack trace. The cases run as real processes; the seed is fixed (MANIFOLD_SEED draws
// others, MANIFOLD_RUNS multiplies the runs), every case drawn runs, and a failure is given as
// the shell command that shows it.

const RUNS = Number(process.env.MANIFOLD_RUNS ?? 1);
const SHRINKS = 40;

/** A stack frame, as V8 writes one under an error's message. */
const FRAME = /^\s+at .+/m;

/**
 * What is wrong with what a command said: its status not one of `statuses`, a stack frame,
 * and, when it failed, stderr that is not lines each matching `line` (at least one).
 */
export function saidWrongly(result: Result, statuses: number[], line: RegExp): string[] {
  const problems: string[] = [];
  if (result.exitCode === undefined || !statuses.includes(result.exitCode))
    problems.push(`exit status ${result.exitCode ?? result.signal}, not one of ${statuses}`);
  if (FRAME.test(result.stderr)) problems.push('a stack frame on stderr');
  if (result.exitCode !== 0) {
    const lines = result.stderr.split('\n');
    if (lines.pop() !== '' || lines.length === 0) problems.push('stderr is not whole lines');
    for (const said of lines) if (!line.test(said)) problems.push(`a line not ${line}: ${said}`);
  }
  return problems;
}

/** `words` as a shell command line, each quoted where it must be (`$'...'` for a newline). */
export function shellLine(words: string[]): string {
  return words
    .map((word) =>
      /[\n\t\0]/.test(word)
        ? `$'${word.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\0/g, '\\0')}'`
        : quoteName(word),
    )
    .join(' ');
}

/**
 * Runs `check` over the cases of `cases` (with `seed` offset by `offset`); a failing case
 * throws the smallest found, as `show` gives it, with what was wrong.
 */
export async function assertSaysWell<T>(
  cases: fc.Arbitrary<T>,
  check: (c: T) => Promise<string[]>,
  {
    offset,
    numRuns,
    show,
    examples = [],
  }: {
    offset: number;
    numRuns: number;
    show: (c: T) => string;
    /** Cases run first, before the drawn ones (known to have been said wrongly). */
    examples?: T[];
  },
): Promise<void> {
  // Shrinking a failure runs a process per smaller case: past SHRINKS of them, the rest pass
  // untried and the smallest failure found stands.
  let shrinks = -1;
  const property = fc.asyncProperty(cases, async (c) => {
    if (shrinks >= 0 && ++shrinks > SHRINKS) return;
    const problems = await check(c);
    if (problems.length > 0) {
      shrinks = Math.max(shrinks, 0);
      throw new Error(problems.join('\n  '));
    }
  });
  const seed = SEED + offset;
  const details = await fc.check(property, {
    seed,
    numRuns: Math.max(1, Math.round(numRuns * RUNS)),
    examples: examples.map((c): [T] => [c]),
  });
  if (!details.failed) return;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
  const shown = details.counterexample === null ? '(no case)' : show(details.counterexample[0]);
  throw new Error(
    `seed ${seed} (MANIFOLD_SEED=${SEED}), ${details.numRuns} runs, ${details.numShrinks} shrinks:\n  ${cause}\nthe case:\n  ${shown}`,
  );
}
