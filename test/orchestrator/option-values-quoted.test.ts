import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';

// A bad option value is named in its line as a shell would quote it (quoteName): as typed when
// it reads as one word, in '...' when it holds a blank or is empty, in $'...' when it holds a
// control character, so that the line stays one and the value can be pasted back. The shared
// parsers (sizes, key specs, framings, field separators, whole numbers, durations, job names,
// queue addresses) each quote so, none as JSON (`--max-body "abc"`, `(got "x")`).
// One case or two per command family, each run as the user runs it.

/** The family, the arguments, what the line says, and the program (manifold unless named). */
const cases: [string, string[], string, string?][] = [
  // manifold table build, get's and serve's options
  [
    'table build',
    ['table', 'build', '/dev/null', '-o', 'x.mft', '--key', 'field:1', '--memory', 'a b'],
    "--memory 'a b' is not a size",
  ],
  [
    'table build',
    ['table', 'build', '/dev/null', '-o', 'x.mft', '--key', 'field:1', '--field-sep', ''],
    "--field-sep '' must be one character",
  ],
  [
    'table build',
    ['table', 'build', '/dev/null', '-o', 'x.mft', '--key', 'field:1', '--shards', 'a\tb'],
    "--shards $'a\\tb': give a whole number",
  ],
  [
    'table build',
    ['table', 'build', '/dev/null', '-o', 'x.mft', '--key', 'field:1', '--duplicates', 'a b'],
    "--duplicates: 'a b' is not one of error",
  ],
  ['table serve', ['table', 'serve', 'x.mft', '--max-body', 'abc'], '--max-body abc is not a size'],
  [
    'table serve',
    ['table', 'serve', 'x.mft', '--max-body', '1\n'],
    "--max-body $'1\\n' is not a size",
  ],
  // manifold fan
  [
    'fan',
    ['fan', '-j', '1\n2', '--', 'cat'],
    "-j, --workers must be a whole number from 1 to 4096, or +N, -N, N% of the CPUs (got $'1\\n2')",
  ],
  ['fan', ['fan', '--block', '1M ', '--', 'cat'], "--block '1M ' is not a size"],
  [
    'fan',
    ['fan', '--key', 'field:1', '--field-sep', 'a b', '--', 'cat'],
    "--field-sep 'a b' must be one character",
  ],
  ['fan', ['fan', '--timeout', '30 days', '--', 'cat'], "(got '30 days')"],
  // manifold worker --queue
  [
    'worker',
    ['worker', '--queue', 'nats://127.0.0.1:1', '--job', 'a b', '--', 'cat'],
    "--job 'a b' is not a job name",
  ],
  [
    'worker',
    ['worker', '--queue', 'nats://127.0.0.1:1', '--connect-timeout', 'x y', '--', 'cat'],
    "(got 'x y')",
  ],
  // manifold run
  ['run', ['run', '--set', 'A B=x', '/dev/null'], "--set 'A B=x': 'A B' is not a variable name"],
  // the mf-* filters
  ['mf-map', ['--split', 'delim x', 'r'], "--split 'delim x' is not one of", bin('mf-map')],
  [
    'mf-reduce',
    ['--key', 'field:1', '--field-sep', '\t\t', 'count'],
    "--field-sep $'\\t\\t' must be one character",
    bin('mf-reduce'),
  ],
];

describe('a bad option value is quoted as a shell would, in every command family', () => {
  it.for(cases)('%s %j', async ([, args, said, file = manifold]) => {
    const result = await run(file, args, '');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain(said);
    expect(result.stderr).not.toMatch(/"/);
  });
});

describe('a word with a line break in it is quoted as bash would, not said with a space', () => {
  // The break was said as a space: `--host: 'a b' is ...`, `unknown option '--bo gus'`, a
  // word no one typed. Now each is $'...', as option values are (above).
  const words: [string, string[], string, string?][] = [
    ['--host', ['fan', '--host', 'a\nb', '--', 'cat'], "--host: $'a\\nb' is not [user@]host"],
    ['--host', ['fan', '--host', '0x1\t', '--', 'cat'], "--host: $'0x1\\t' is not"],
    ['unknown option', ['fan', '--bo\ngus', '--', 'cat'], "unknown option $'--bo\\ngus'"],
    ['unknown option', ['run', '--x\ny=1', 'p.yaml'], "unknown option $'--x\\ny=1'"],
    ['unknown command', ['fa\nn'], "unknown command $'fa\\nn' (did you mean fan?)"],
    ['unknown command', ['table', 'bu\nild'], "unknown command $'bu\\nild' (commands:"],
    ['unknown command', ['help', 'fa\nn'], "unknown command $'fa\\nn' (commands:"],
    ['a choice', ['fan', '--dispatch', 'hash\n', '--', 'cat'], "--dispatch: $'hash\\n' is not one"],
    ['a choice', ['completion', 'ba\nsh'], "<shell>: $'ba\\nsh' is not one of bash, zsh, fish"],
    ['worker --stdio', ['worker', '--stdio', 'a\nb'], "takes no command (got $'a\\nb')"],
    ['mf-map', ['--bo\ngus', 'r'], "unknown option $'--bo\\ngus'", bin('mf-map')],
    ['mf-map', ['r', 'in\nx'], "unexpected argument $'in\\nx'", bin('mf-map')],
    ['mf-map', ['-\n1'], "unknown option $'-\\n1'", bin('mf-map')],
  ];
  it.for(words)('%s %j', async ([, args, said, file = manifold]) => {
    const result = await run(file, args, '');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toContain(said);
  });
});
