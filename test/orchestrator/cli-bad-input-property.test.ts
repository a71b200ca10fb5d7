import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { assertSaysWell, saidWrongly, shellLine } from '../support/bad-input.js';
import { FAN_FLAGS, FAN_VALUED } from '../support/fan-flags.js';
import { makeDir } from '../support/temp.js';
import { fanSaidHere } from '../support/usage.js';

// `manifold fan` given bad command lines drawn at random: bad or missing values of the options
// its --help lists, options that cannot go together, unknown ones, no command. Whatever is
// drawn, it exits with a documented status (0 when the line was good after all, 1 a worker
// failed, 2 a usage error, 127 not found) and, failing, says so in one line, `manifold: ...`,
// with no stack trace. fan-usage-help and cli-manners check chosen lines' exact words. Where
// the line is refused before any file is looked at, the process says what `fanSaidHere` finds
// in this process, which the suites that check many such lines use instead of a process.

/** Words any option's value may wrongly be: blanks, signs, a line break, `--`... */
const anyBad = ['', ' ', 'x', '-1', '1e3', '0x10', '+3', '3 ', ' 3', '1\n2', '\t', 'é', '--'];

/**
 * Values that options taking one refuse, beyond `anyBad`. None is drawn that a run would take
 * to another machine or server, or that writes more than a line on stderr (`--stats -`).
 */
const REFUSED: Record<string, string[]> = {
  '-j': ['0', '4097', '1.5', '99999999999999999999'],
  '--split': ['bogus', 'delim:', 'fixed:0', 'fixed:x', 'lines\n'],
  '--join': ['bogus', 'fixed:0', 'delim:'],
  '--block': ['0', '1Q', '-1M', '99999999999999999999'],
  '--dispatch': ['random', 'hash\n'],
  '--key': ['field:0', 'field:x', 'json:', 'bogus', 'field:'],
  '--field-sep': ['ab', '\n'],
  '--merge': ['unordered', 'sorted\n'],
  '--merge-memory': ['0', '1Q'],
  '--protocol': ['http', 'manifold\n'],
  '--thread-heap': ['1K', '1Q'],
  '--retries': ['-2', '1.5'],
  '--halt': ['later', 'now,fail=x', 'soon,fail=', 'now,fail=200%', 'never,fail=1'],
  '--ok-status': ['256', '0,,1', '1,x'],
  '--timeout': ['0', '1y', '-5s'],
  '--header': ['auto:1', '-3'],
  '--joblog': ['/nonexistent/log.tsv', '/'],
  '--input': ['/nonexistent/in', '/'],
  '--table': ['=t', 'users=/nonexistent/t.mft', 'users='],
  '--max-record': ['0', '1Q'],
  '--host': ['@', 'h:x', 'h/0', 'h:99999', 'a b', '-1', '-oBatchMode=no', '', 'h\n2'],
  '--hosts-file': ['/nonexistent/hosts'],
  '--ssh': ["'"],
  '--host-timeout': ['0', '1y'],
  '--transfer': ['/nonexistent/t'],
  '--stats': ['/nonexistent/s.json', '/'],
  '--queue': ['http://h', 'nats://', 'nats://h:99999', '', '--', 'nats://h\n:1'],
  '--job': ['a b', 'a.b'],
  '--ack-wait': ['0', '1y'],
  '--queue-timeout': ['0', '1y'],
  '--output': ['/'],
};

/** The options that take a value (the fan's own list), each with the values it refuses. */
const VALUED: Record<string, string[]> = Object.fromEntries(
  FAN_VALUED.map((option) => [option, REFUSED[option] ?? []]),
);

/** Options without a value; `--verbose` is left out, whose lines are many by design. */
const FLAGS = FAN_FLAGS.filter((flag) => flag !== '--verbose');

/** Options given only their own bad values: most words are a host or a server to reach. */
const OWN_ONLY = new Set(['--host', '--queue']);

const valued = fc
  .constantFrom(...Object.keys(VALUED))
  .chain((option) =>
    (OWN_ONLY.has(option)
      ? fc.constantFrom(...VALUED[option]!)
      : VALUED[option]!.length === 0
        ? fc.constantFrom(...anyBad)
        : fc.oneof(fc.constantFrom(...VALUED[option]!), fc.constantFrom(...anyBad))
    ).map((value) => [option, value]),
  );

const part = fc.oneof(
  { weight: 6, arbitrary: valued },
  { weight: 3, arbitrary: fc.constantFrom(...FLAGS).map((flag) => [flag]) },
  // With its value glued on, as --name=value.
  { weight: 1, arbitrary: valued.map(([option, value]) => [`${option}=${value}`]) },
  // A flag given a value it takes none of; an unknown option; a value with no option.
  { weight: 1, arbitrary: fc.constantFrom(...FLAGS).map((flag) => [`${flag}=1`]) },
  { weight: 1, arbitrary: fc.constantFrom('--bogus', '--mrge', '-9', '-Z', '---') },
  // An option last, its value missing: it takes `--` or the command's first word.
  { weight: 1, arbitrary: fc.constantFrom(...Object.keys(VALUED)).map((o) => [o]) },
);

const command = fc.constantFrom(
  ['--', 'cat'],
  ['--', 'tr', 'a-z', 'A-Z'],
  ['cat'],
  ['--'],
  [],
  ['--', 'no-such-program-xyz'],
  ['--', ''],
);

const invocations = fc
  .tuple(fc.array(part, { minLength: 1, maxLength: 3 }), command)
  .map(([parts, tail]) => ['fan', ...parts.flat(), ...tail]);

/**
 * Lines whose messages a shared mechanism once got wrong (a line break in a value, a value that
 * reads as a negative number), run before the drawn ones.
 */
const BROKEN = [
  ['fan', '-j', '1\n2', '--', 'cat'],
  ['fan', '--host', '-1', '--', 'cat'],
];

describe('manifold fan, given bad command lines', () => {
  it("draws from the fan's own options: each value list is an option's", ({ expect }) => {
    // A list under a name the fan no longer has would be left out, unsaid.
    expect(Object.keys(REFUSED).filter((option) => !FAN_VALUED.includes(option))).toEqual([]);
    expect(FLAGS).toEqual(expect.arrayContaining(['-0', '--tag', '--shell']));
  });

  it('exits with a documented status, saying why in one line, no stack', {
    timeout: 180_000,
  }, async () => {
    await assertSaysWell(
      invocations,
      async (args) => {
        // In a folder of its own: a value may be taken for a file to write (--stats x).
        const { dir, remove } = makeDir('manifold-bad-input-');
        try {
          const result = await run(manifold, args, 'a\nb\n', { cwd: dir });
          const problems = saidWrongly(result, [0, 1, 2, 127], /^manifold: \S/);
          // What the tests that check a fan's command line in their own process take for the
          // process's words (support/usage.ts): the same, wherever it refuses the line.
          const here = fanSaidHere(args.slice(1), dir);
          const there = {
            exitCode: result.exitCode,
            stdout: result.stdout.toString(),
            stderr: result.stderr,
          };
          if (here !== null && !isDeepStrictEqual(here, there))
            problems.push(
              `refused in-process as ${JSON.stringify(here)}, by the process as ${JSON.stringify(there)}`,
            );
          return problems;
        } finally {
          remove();
        }
      },
      {
        offset: 501,
        numRuns: 40,
        examples: BROKEN,
        show: (args) => `printf 'a\\nb\\n' | manifold ${shellLine(args)}`,
      },
    );
  });
});
