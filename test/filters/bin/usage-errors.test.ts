import { describe, expect, it } from 'vitest';
import { bin, run } from '../../helpers.js';

// Every mf-* binary says a usage error in one line of its own, naming itself and its --help,
// exit 2, instead of commander's wording ("too many arguments. Expected 1 argument but got 2.",
// "option '--split <framing>' argument 'x' is invalid. framing ...", "Allowed choices are
// manifold."). An argument too many is most often a file given as to cat: the line says how.

const cases: [string, string[], string][] = [
  [
    'mf-map',
    ['r', 'in.txt'],
    "unexpected argument 'in.txt' (mf-map takes <expression>; it reads stdin: mf-map ... < in.txt)",
  ],
  [
    'mf-filter',
    ['r', 'a', 'b'],
    "unexpected arguments 'a' 'b' (mf-filter takes <expression>; it reads stdin: mf-filter ... < a)",
  ],
  [
    'mf-reduce',
    ['sum', '1', 'x'],
    "unexpected argument 'x' (mf-reduce takes <op> [field]; it reads stdin: mf-reduce ... < x)",
  ],
  [
    'mf-frame',
    ['in.txt'],
    "unexpected argument 'in.txt' (mf-frame takes none; it reads stdin: mf-frame < in.txt)",
  ],
  [
    'mf-unframe',
    ['x'],
    "unexpected argument 'x' (mf-unframe takes none; it reads stdin: mf-unframe < x)",
  ],
  ['mf-join', ['x'], "unexpected argument 'x' (mf-join takes none; it reads stdin: mf-join < x)"],
  [
    'mf-map',
    ['--split', 'bogus', 'r'],
    '--split bogus is not one of lines, lines:<n>, nul, delim:<string>, start:<string>, between:<end>|<start>, ndjson, frames, fixed:<bytes> or raw (escapes \\n \\t \\0 \\r \\\\ \\| \\xHH allowed in delim, start and between)',
  ],
  ['mf-frame', ['--max-record', 'x'], '--max-record x is not a size (examples: 4096, 64K, 1M, 2G)'],
  ['mf-unframe', ['--protocol', 'x'], '--protocol: x is not one of manifold'],
  ['mf-reduce', ['count', '--split'], '--split needs a value (<framing>)'],
  ['mf-join', ['--table'], '--table needs a value (<table>)'],
  ['mf-filter', ['--bogus', 'r'], "unknown option '--bogus'"],
  // manifold fan's -0, guessed for a filter: commander takes it for a negative number, an
  // argument, and the line said `... it reads stdin: mf-filter ... < -0`.
  ['mf-filter', ['true', '-0'], "unknown option '-0'"],
  ['mf-map', ['r', '-1'], "unknown option '-1'"],
  // Before the expression too, as grep -0 PATTERN and awk -1 PROGRAM take it: mf-filter -0 true
  // took -0 for the expression and said `unexpected argument 'true' (...: mf-filter ... < true)`.
  ['mf-filter', ['-0', 'true'], "unknown option '-0'"],
  ['mf-map', ['-1'], "unknown option '-1'"],
  ['mf-reduce', ['-0', 'count'], "unknown option '-0'"],
  ['mf-reduce', ['sum', '-2'], "unknown option '-2'"],
  ['mf-join', ['-0', '--table', 'x'], "unknown option '-0'"],
  ['mf-frame', ['-0'], "unknown option '-0'"],
  ['mf-unframe', ['-0'], "unknown option '-0'"],
  // A flag that takes no value, given one: -V=1 printed the version (exit 0, the `=1` unseen),
  // -h=1 was "unknown option '-h=1'".
  ...['mf-map', 'mf-filter', 'mf-reduce', 'mf-frame', 'mf-unframe', 'mf-join'].flatMap(
    (name): [string, string[], string][] => [
      [name, ['-V=1', 'r'], "-V takes no value (got '-V=1')"],
      [name, ['-h=1'], "-h takes no value (got '-h=1')"],
    ],
  ),
  ['mf-filter', ['--json=1', 'true'], "--json takes no value (got '--json=1')"],
];

describe('usage errors of the mf-* binaries', () => {
  it.each(cases)('%s %j: one line, exit 2', async (name, args, message) => {
    const result = await run(bin(name), args, 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `${name}: ${message} (see '${name} --help')\n`,
    });
  });
});

describe('an argument after -- that begins with -', () => {
  it('is an argument, as grep -- -x takes -x for its pattern', async () => {
    const mapped = await run(bin('mf-map'), ['--', '-1'], 'a\nb\n');
    expect({ exitCode: mapped.exitCode, stdout: mapped.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: '-1\n-1\n',
    });
    const kept = await run(bin('mf-filter'), ['--json', '--', '-1'], '{}\n');
    expect({ exitCode: kept.exitCode, stdout: kept.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: '{}\n',
    });
  });
});
