import { describe, expect, it } from 'vitest';
import { PARALLEL_SPELLINGS } from '../../orchestrator/cli/parallel-words.js';
import { manifold, run } from '../helpers.js';
import { saidHere } from '../support/usage.js';

// A GNU parallel user's options, typed out of habit, are told what manifold fan writes instead:
// `-k` said only "unknown option '-k'", `--jobs 4` "(did you mean --job?)", the queue's job name.

const FLAGS = PARALLEL_SPELLINGS.flatMap(([flags, here]) => flags.map((flag) => [flag, here]));

/** The line that refuses GNU parallel's `flag`, which manifold fan spells as `here` says. */
const refusing = (flag: string, here: string) =>
  `manifold: unknown option '${flag}': GNU parallel's ${flag} ${here} (see 'manifold fan --help')\n`;

// Every flag is checked in this process, against the functions manifold reads its command line
// with (support/usage.ts); a few are also run as `manifold fan` itself, which must say the very
// same line, exit 2 and write nothing on stdout. (All were run as processes: ~100 of them.)
describe("GNU parallel's options: manifold fan's spelling in the one line that refuses them", () => {
  it.for(FLAGS)('%s', ([flag, here]) => {
    expect(saidHere(['fan', flag!, '--', 'cat'])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: refusing(flag!, here!),
    });
  });

  it.for([FLAGS[0]!, FLAGS[Math.floor(FLAGS.length / 2)]!, FLAGS.at(-1)!])(
    '%s, as manifold fan itself says it',
    async ([flag, here]) => {
      const result = await run(manifold, ['fan', flag!, '--', 'cat'], 'a\n');
      expect([result.exitCode, result.stdout.length, result.stderr]).toEqual([
        2,
        0,
        refusing(flag!, here!),
      ]);
    },
  );

  it('with a value attached, and in the place commander guessed another option', async () => {
    const [jobs, typo] = await Promise.all([
      run(manifold, ['fan', '--jobs=4', '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '--mrge', 'ordered', '--', 'cat'], 'a\n'),
    ]);
    expect(jobs.stderr).toBe(
      "manifold: unknown option '--jobs=4': GNU parallel's --jobs is -j, --workers N here (see 'manifold fan --help')\n",
    );
    // A typo of manifold's own keeps commander's guess.
    expect(typo.stderr).toBe(
      "manifold: unknown option '--mrge' (did you mean --merge?) (see 'manifold fan --help')\n",
    );
  });

  it("a cluster of short flags, as parallel_tutorial's -kN1, or -a with its file attached", async () => {
    // parallel_tutorial writes `parallel -kN1 --recend ', ' --pipe ...`: here that said only
    // "unknown option '-kN1'".
    const [cluster, attached] = await Promise.all([
      run(manifold, ['fan', '-kN1', '--recend', ', ', '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '-ain.txt', '--', 'cat'], 'a\n'),
    ]);
    expect([cluster.exitCode, cluster.stdout.length, cluster.stderr]).toEqual([
      2,
      0,
      "manifold: unknown option '-kN1': GNU parallel's -k is --merge ordered here (see 'manifold fan --help')\n",
    ]);
    expect([attached.exitCode, attached.stderr]).toEqual([
      2,
      `manifold: unknown option '-ain.txt': GNU parallel's -a ${PARALLEL_SPELLINGS.find(([flags]) => flags.includes('-a'))![1]} (see 'manifold fan --help')\n`,
    ]);
  });

  it('--regex, as Perl would take it for --regexp, is --regexp here', async () => {
    const result = await run(manifold, ['fan', '--regex', '--recstart', '^>', '--', 'cat'], 'a\n');
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      "manifold: unknown option '--regex': GNU parallel's --regex is --regexp here (with --recstart, --recend) (see 'manifold fan --help')\n",
    ]);
  });

  it("names only manifold fan's own options, and none it has", async () => {
    const help = (await run(manifold, ['fan', '--help'])).stdout.toString();
    // An option's own line: `  -j, --workers <n>`, `  --merge <mode>` (not `, -n:` in a description).
    const known = new Set(help.match(/(?<=^ {2}|^ {2}-\w, )--?[\w-]+/gm));
    for (const [flags, here] of PARALLEL_SPELLINGS) {
      for (const flag of flags) expect(known.has(flag), flag).toBe(false);
      for (const named of here.match(/(?<![\w-])--?[a-z][\w-]*/g) ?? [])
        expect(known.has(named), `${named} in "${here}"`).toBe(true);
    }
  });
});
