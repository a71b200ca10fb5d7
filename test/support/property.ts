import fc from 'fast-check';
import { commandOf, type FanCase, runCase } from './fan-case.js';
import type { Finished } from './spawn.js';
import { makeDir } from './temp.js';

// Runs fan cases drawn by fast-check as real processes. The seed is fixed so a run is the same
// every time, on any machine: every case drawn runs, however slow the machine (a time limit
// used to cut the runs short, quietly: under load a property ran 1 of its 6 cases, and one
// that ran none passed too); only shrinking a failure has a time limit. MANIFOLD_SEED draws
// other cases, MANIFOLD_RUNS multiplies the number of runs. A failure names the seed and gives
// the smallest failing case as a shell command.

export const SEED = Number(process.env.MANIFOLD_SEED ?? 20261130);
const RUNS = Number(process.env.MANIFOLD_RUNS ?? 1);
/** A run taking longer than this is taken as hung. */
export const HANG_MS = Number(process.env.MANIFOLD_HANG_MS ?? 10_000);

export interface PropertyOptions {
  /** Added to the seed, so each property draws its own cases. */
  offset: number;
  numRuns: number;
  /**
   * How long shrinking a failure may take: past this after the first failure, no smaller case
   * is tried and the smallest found stands. The cases drawn all run, however long they take.
   */
  timeLimitMs: number;
  hangMs?: number;
  /** Cases run first, before the drawn ones (known to have broken before). */
  examples?: FanCase[];
}

/** How long a property may take: each case to its hang limit, then shrinking a failure. */
export function propertyTimeout({ numRuns, timeLimitMs, hangMs = HANG_MS }: PropertyOptions) {
  return runsOf(numRuns) * hangMs + timeLimitMs + hangMs + 15_000;
}

const runsOf = (numRuns: number) => Math.max(1, Math.round(numRuns * RUNS));

/** Runs `check` over cases drawn from `cases`; throws a report of the smallest failure. */
export async function assertFanProperty(
  name: string,
  cases: fc.Arbitrary<FanCase>,
  check: (c: FanCase, result: Finished) => string[],
  { offset, numRuns, timeLimitMs, hangMs = HANG_MS, examples = [] }: PropertyOptions,
): Promise<void> {
  let failedAt: number | undefined;
  let shrinkCut = false;
  const property = fc.asyncProperty(cases, async (c) => {
    // Shrinking past its time: the cases left pass untried, so fast-check stops there.
    if (failedAt !== undefined && performance.now() - failedAt >= timeLimitMs) {
      shrinkCut = true;
      return;
    }
    const { dir, remove } = makeDir('manifold-prop-');
    try {
      const problems = check(c, await runCase(c, dir, hangMs).finally(remove));
      if (problems.length > 0) throw new Error(problems.join('\n  '));
    } catch (error) {
      failedAt ??= performance.now();
      throw error;
    }
  });
  const seed = SEED + offset;
  const details = await fc.check(property, {
    seed,
    numRuns: runsOf(numRuns),
    examples: examples.map((c): [FanCase] => [c]),
  });
  if (!details.failed) return;
  if (details.counterexample === null) throw new Error(`property "${name}" failed with no case`);
  const [c] = details.counterexample;
  const { dir } = makeDir('manifold-prop-case-');
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
  throw new Error(
    [
      `property "${name}" failed (seed ${seed}: rerun with MANIFOLD_SEED=${SEED}; ${details.numRuns} runs, ${details.numShrinks} shrinks${shrinkCut ? ', shrinking cut short by the time limit' : ''})`,
      `  ${cause}`,
      'the case, to run from the package folder (its input is kept in that folder):',
      `  ${commandOf(c, dir)}`,
      `  (case: ${JSON.stringify({ ...c, records: c.records.map((r) => r.toString('latin1')) }).slice(0, 1500)})`,
    ].join('\n'),
  );
}
