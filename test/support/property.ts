import fc from 'fast-check';
import { commandOf, type FanCase, runCase } from './fan-case.js';
import type { Finished } from './spawn.js';
import { makeDir } from './temp.js';

// Runs fan cases drawn by fast-check as real processes. The seed is fixed so a run is the same
// every time; MANIFOLD_SEED draws others, MANIFOLD_RUNS multiplies the number of runs. A
// failure names the seed and gives the smallest failing case as a shell command.

export const SEED = Number(process.env.MANIFOLD_SEED ?? 20261130);
const RUNS = Number(process.env.MANIFOLD_RUNS ?? 1);
/** A run taking longer than this is taken as hung. */
export const HANG_MS = Number(process.env.MANIFOLD_HANG_MS ?? 10_000);

export interface PropertyOptions {
  /** Added to the seed, so each property draws its own cases. */
  offset: number;
  numRuns: number;
  /** Past this, no new case starts (shrinking a failure included); what was found stands. */
  timeLimitMs: number;
  hangMs?: number;
  /** Cases run first, before the drawn ones (known to have broken before). */
  examples?: FanCase[];
}

/** Runs `check` over cases drawn from `cases`; throws a report of the smallest failure. */
export async function assertFanProperty(
  name: string,
  cases: fc.Arbitrary<FanCase>,
  check: (c: FanCase, result: Finished) => string[],
  { offset, numRuns, timeLimitMs, hangMs = HANG_MS, examples = [] }: PropertyOptions,
): Promise<void> {
  // fast-check's time limit may leave a run behind; it ends (or is killed as hung) on its
  // own, and is waited for below so that no process or folder outlives the test.
  let running: Promise<unknown> = Promise.resolve();
  const property = fc.asyncProperty(cases, async (c) => {
    const { dir, remove } = makeDir('manifold-prop-');
    const result = runCase(c, dir, hangMs).finally(remove);
    running = result.catch(() => {});
    const problems = check(c, await result);
    if (problems.length > 0) throw new Error(problems.join('\n  '));
  });
  const seed = SEED + offset;
  const details = await fc.check(property, {
    seed,
    numRuns: Math.max(1, Math.round(numRuns * RUNS)),
    interruptAfterTimeLimit: timeLimitMs,
    markInterruptAsFailure: false,
    examples: examples.map((c): [FanCase] => [c]),
  });
  await running;
  if (!details.failed || details.counterexample === null) return;
  const [c] = details.counterexample;
  const { dir } = makeDir('manifold-prop-case-');
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
  throw new Error(
    [
      `property "${name}" failed (seed ${seed}: rerun with MANIFOLD_SEED=${SEED}; ${details.numRuns} runs, ${details.numShrinks} shrinks${details.interrupted ? ', shrinking cut short by the time limit' : ''})`,
      `  ${cause}`,
      'the case, to run from the package folder (its input is kept in that folder):',
      `  ${commandOf(c, dir)}`,
      `  (case: ${JSON.stringify({ ...c, records: c.records.map((r) => r.toString('latin1')) }).slice(0, 1500)})`,
    ].join('\n'),
  );
}
