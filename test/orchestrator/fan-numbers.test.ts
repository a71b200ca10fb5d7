import { describe, type ExpectStatic, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { oneLine } from '../support/lines.js';
import { fanSaidHere } from '../support/usage.js';

// Every number `manifold fan --help` documents is written in decimal digits, with a fraction
// or a unit only where its help shows one. JavaScript's Number() takes far more: `--retries 1e3`
// ran 1000 retries, `-j 0x10` 16 workers, `--retries ''` none, `--block ' 3'` 3 bytes.

/** Values no option's help documents: an exponent, a radix, a sign, blanks, nothing. */
const NO_NUMBER = ['1e3', '0x10', '0b1', '+3', '-1', ' 3', '3 ', '', 'Infinity'];

/** Each numeric option, the words that set it to `value`, and how its message names it. */
const OPTIONS: [string, (value: string) => string[], string[]][] = [
  // -j takes parallel's +N and -N, relative to the CPUs (fan-workers-relative.test.ts).
  [
    '-j',
    (v) => ['-j', v],
    [...NO_NUMBER.filter((v) => v !== '+3' && v !== '-1'), '1.5', '+1.5', '5%%'],
  ],
  ['--retries', (v) => ['--retries', v], [...NO_NUMBER, '1.5']],
  ['--header', (v) => ['--header', v], [...NO_NUMBER, '1.5']],
  // A negative whole --block is a count of blocks a worker (fan-blocks-per-worker.test.ts).
  [
    '--block',
    (v) => ['--block', v],
    [...NO_NUMBER.filter((v) => v !== '-1'), '1.5', '1e3K', '-0', '-1.5', '-1e3'],
  ],
  ['--merge-memory', (v) => ['--merge-memory', v], NO_NUMBER],
  ['--max-record', (v) => ['--max-record', v], NO_NUMBER],
  ['--thread-heap', (v) => ['--threads', '--thread-heap', v], NO_NUMBER],
  ['--split', (v) => ['--split', `fixed:${v}`], NO_NUMBER],
  ['--timeout', (v) => ['--timeout', v], [...NO_NUMBER, '1e3s', '1 s']],
  ['--host-timeout', (v) => ['--host', ':', '--host-timeout', v], [...NO_NUMBER, '1e3s']],
  ['--halt', (v) => ['--halt', `soon,fail=${v}`], NO_NUMBER],
  ['--ok-status', (v) => ['--ok-status', v], [...NO_NUMBER, '0, 1', '1.5']],
  // A host's slots are -j's, at most 4096: ':/99999' started local workers until memory ran out.
  ['--host', (v) => ['--host', `:/${v}`], ['4097', '99999', '1e3', '0x10', ' 3']],
  ['--host', (v) => ['--host', `h1/${v}`], ['4097']],
];

const cases = OPTIONS.flatMap(([option, words, values]) =>
  values.map((value) => [option, value, words(value)] as const),
);

/** The workers' command a case's words go with. */
const commandOf = (option: string) => (option === '--thread-heap' ? ['mf-map', 'r'] : ['cat']);

/** Exit 2, one line naming the option and its word whole, quoted as a shell would. */
function expectRefused(
  expect: ExpectStatic,
  said: { exitCode?: number; stderr: string } | null,
  option: string,
  value: string,
  args: readonly string[],
) {
  expect(said?.exitCode).toBe(2);
  const stderr = said!.stderr;
  expect(stderr).toMatch(oneLine);
  expect(stderr).toContain(option);
  // The option's word whole, as a shell would quote it: 1e3, soon,fail=1e3, or ' 3' and ''
  // (--host's lines quote it always: ':/1e3').
  const word = args.at(-1)!;
  expect(word).toContain(value);
  const shown = [asShellWord(word), `'${word}'`].map((w) =>
    w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  expect(stderr).toMatch(new RegExp(` (${shown.join('|')})[ ):]`));
}

/** A word as bash writes it: bare when it is one word, else in single quotes (none hold one). */
const asShellWord = (word: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word}'`);

// Every case is checked in this process, against the functions `manifold fan` parses and resolves
// its command line with (support/usage.ts); one case per option is also run as `manifold fan` itself, which must
// say the very same line, exit 2 and write nothing on stdout. (All 132 were run as processes:
// 35 s of the CI's two cores for usage errors.)
describe('numbers written as no help documents them, resolved', () => {
  it.for(cases)('%s %j is exit 2, one line naming both', ([option, value, args], { expect }) => {
    expectRefused(expect, fanSaidHere([...args, '--', ...commandOf(option)]), option, value, args);
  });
});

/** One case per option row (-j's by 0x10, which `requestedWorkers` of the threads' boot reads as 16). */
const spawned = OPTIONS.map(([option, words, values]) => {
  const value = option === '-j' ? '0x10' : values[0]!;
  return [option, value, words(value)] as const;
});

describe.concurrent('numbers written as no help documents them, run', () => {
  it.for(spawned)(
    '%s %j: manifold fan says what the resolution does',
    async ([option, value, args], { expect }) => {
      const words = [...args, '--', ...commandOf(option)];
      const result = await fan(words, 'a\n');
      expectRefused(expect, result, option, value, args);
      expect(result.stderr).toBe(fanSaidHere(words)?.stderr);
      expect(result.stdout.length).toBe(0);
    },
  );
});

describe.concurrent('numbers as the help documents them', () => {
  // Times long enough that no run here reaches them: a local host given 1.5 s to answer was
  // dropped once, eight of these at once on a CI machine under load ('heard nothing for 1500ms').
  const good: string[][] = [
    ['-j', '03'],
    ['--retries', '2', '--halt', 'soon,fail=50%'],
    ['--block', '1.5K'],
    ['--timeout', '25.5'],
    ['--timeout', '25000ms'],
    ['--host', ':', '--host-timeout', '90.5'],
    ['--ok-status', '0,1'],
    ['--header', '0'],
  ];
  it.for(good)('%j is not refused by the resolution', (args, { expect }) => {
    expect(fanSaidHere([...args, '--', 'cat'])).toBeNull();
  });
  it.for(good)('%j runs', async (args, { expect }) => {
    const result = await fan([...args, '--', 'cat'], 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(result.stdout.toString()).toBe('a\n');
  });
});
