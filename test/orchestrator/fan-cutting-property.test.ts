import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type CutCase, commandOf, runCutCase } from '../support/cut-case.js';
import { cutProblems } from '../support/cut-check.js';
import { HANG_MS, SEED } from '../support/property.js';
import { makeDir } from '../support/temp.js';

// Randomized runs of the built manifold that combine the options saying where a block ends
// (--block, --block -n, -N, --group-by, --header) with the framings that cut by content (-0,
// -L, --recstart/--recend, delim:\xHH), every kind of worker and of input, checked against a
// reference computed here (test/support/cut-check.ts). Seeded as fan-property's are; a failure
// prints the seed and the smallest failing case as a shell command.

/** MANIFOLD_RUNS, as the fan's other properties take it: k times as many runs. */
const RUNS = Number(process.env.MANIFOLD_RUNS ?? 1);

const FRAMINGS = ['lines', 'nul', 'delim:\\x1e', 'lines:2', 'lines:3', 'start:>', 'between:\\n|>'];

/** Bytes of records: the framings' own, the field separator, binary ones, and any. */
const bytes = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(0x0a, 0x00, 0x1e, 0x3e, 0x3a, 0x61, 0x62, 0xff, 0x80, 0x20),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);

/** Records in runs of one key (`a:...`), so that --group-by has runs to keep whole. */
const inputs = (framing: string) =>
  fc
    .array(
      fc.record({
        key: fc.constantFrom('a', 'b', 'ab', ''),
        payloads: fc.array(fc.array(bytes, { maxLength: 6 }), { minLength: 1, maxLength: 4 }),
      }),
      { maxLength: 8 },
    )
    .chain((runs) =>
      fc.boolean().map((last) => {
        const end = framing === 'nul' ? '\0' : framing === 'delim:\\x1e' ? '\x1e' : '\n';
        const start = framing.startsWith('start:') || framing.startsWith('between:') ? '>' : '';
        const records = runs.flatMap(({ key, payloads }) =>
          payloads.map((p) =>
            Buffer.concat([Buffer.from(`${start}${key}:`, 'latin1'), Buffer.from(p)]),
          ),
        );
        const text = records.map((r) => Buffer.concat([r, Buffer.from(end, 'latin1')]));
        const input = Buffer.concat(text);
        return last || input.length === 0 ? input : input.subarray(0, -1);
      }),
    );

const cuts = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.integer({ min: 1, max: 48 }).map((block) => ({ kind: 'size' as const, block })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'size' as const, block: 65536 }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => ({ kind: 'count' as const, n })),
  },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => ({ kind: 'parts' as const, n })),
  },
);

/** The nearest combination manifold accepts (the refused ones are another property's). */
function accepted(c: CutCase): CutCase {
  let { merge, dispatch, groupBy, header, input_, worker } = c;
  if (c.cut.kind === 'parts' && input_ === 'pipe') input_ = 'input';
  if (c.cut.kind === 'count') groupBy = null;
  if ((c.cut.kind === 'count' || groupBy !== null) && dispatch === 'hash') dispatch = 'ready';
  if ((dispatch === 'hash' || dispatch === 'broadcast') && merge === 'ordered') merge = 'ready';
  // Retries under hash or broadcast need workers tied to blocks said: none is chosen for them.
  if ((dispatch === 'hash' || dispatch === 'broadcast') && worker === 'retries')
    worker = 'per-block';
  const startString = c.framing.startsWith('start:') || c.framing.startsWith('between:');
  if (startString && worker === 'one-to-one') worker = 'stay';
  if (startString || c.framing.startsWith('lines:')) header = 0;
  // Sorted: workers that run sort, on lines or NUL, no header (sort would move it).
  const sortable =
    ['lines', 'nul'].includes(c.framing) &&
    ['per-block', 'retries', 'cat', 'fifo', 'stay'].includes(worker);
  if (merge === 'sorted' && !sortable) merge = 'ready';
  if (merge === 'sorted') header = 0;
  return { ...c, merge, dispatch, groupBy, header, input_, worker };
}

const cases: fc.Arbitrary<CutCase> = fc.constantFrom(...FRAMINGS).chain((framing) =>
  fc
    .record({
      framing: fc.constant(framing),
      spelling: fc.constantFrom('split' as const, 'short' as const),
      input: inputs(framing),
      cut: cuts,
      groupBy: fc.constantFrom(null, null, 'field:1' as const, 'whole' as const),
      header: fc.constantFrom(0, 0, 1, 2),
      input_: fc.constantFrom(
        'pipe' as const,
        'stdin-file' as const,
        'input' as const,
        'two-inputs' as const,
      ),
      splitAt: fc.nat(),
      cuts: fc.array(fc.nat({ max: 120 }), { maxLength: 6 }),
      workers: fc.integer({ min: 1, max: 3 }),
      worker: fc.constantFrom(
        ...([
          'per-block',
          'retries',
          'cat',
          'fifo',
          'stay',
          'one-to-one',
          'protocol',
          'threads',
        ] as const),
      ),
      dispatch: fc.constantFrom(
        'ready' as const,
        'round-robin' as const,
        'broadcast' as const,
        'hash' as const,
      ),
      merge: fc.constantFrom('ready' as const, 'ordered' as const, 'sorted' as const),
    })
    .map(accepted),
);

async function assertCutProperty(
  name: string,
  arbitrary: fc.Arbitrary<CutCase>,
  {
    offset,
    numRuns,
    timeLimitMs,
    examples = [],
  }: { offset: number; numRuns: number; timeLimitMs: number; examples?: CutCase[] },
): Promise<void> {
  let failedAt: number | undefined;
  const property = fc.asyncProperty(arbitrary, async (c) => {
    if (failedAt !== undefined && performance.now() - failedAt >= timeLimitMs) return;
    const { dir, remove } = makeDir('manifold-cut-');
    try {
      const problems = cutProblems(c, await runCutCase(c, dir, HANG_MS), dir);
      if (problems.length > 0) throw new Error(problems.join('\n  '));
    } catch (error) {
      failedAt ??= performance.now();
      throw error;
    } finally {
      remove();
    }
  });
  const seed = SEED + offset;
  const runs = Math.max(1, Math.round(numRuns * RUNS));
  const details = await fc.check(property, {
    seed,
    numRuns: runs,
    examples: examples.map((c): [CutCase] => [c]),
  });
  if (!details.failed || details.counterexample === null) return;
  const [c] = details.counterexample;
  const { dir } = makeDir('manifold-cut-case-');
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
  throw new Error(
    [
      `property "${name}" failed (seed ${seed}: rerun with MANIFOLD_SEED=${SEED}; ${details.numRuns} runs, ${details.numShrinks} shrinks)`,
      `  ${cause}`,
      'the case, to run from the package folder:',
      `  ${commandOf(c, dir)}`,
      `  (input: ${JSON.stringify(c.input.toString('latin1'))})`,
    ].join('\n'),
  );
}

// Found by this property: the last block planned by --block -3 cut in two where a start:
// record ended the input at the block's size (7 blocks for 6).
const startPlanned: CutCase = {
  framing: 'start:>',
  spelling: 'split',
  input: Buffer.from('>a\n>b\n>c\n>d\n>e\n>f\n>g\n>h\n'),
  cut: { kind: 'parts', n: 3 },
  groupBy: null,
  header: 0,
  input_: 'input',
  splitAt: 0,
  cuts: [],
  workers: 2,
  worker: 'per-block',
  dispatch: 'ready',
  merge: 'ordered',
};

describe('fan cutting options combined', () => {
  it(
    'every block whole, -N counts, --group-by runs, --block -n counts; ordered output the input, ready the same records',
    () =>
      assertCutProperty('cutting', cases, {
        offset: 40,
        numRuns: 12,
        timeLimitMs: 20_000,
        examples: [startPlanned],
      }),
    // Each case to its hang limit, then shrinking a failure.
    (Math.round(12 * RUNS) + 2) * HANG_MS + 35_000,
  );
});
