import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifold, root, run } from '../helpers.js';
import { oneLine } from '../support/lines.js';
import { saidHere } from '../support/usage.js';

// The manners of the `manifold` command line, whatever the subcommand: help when called alone,
// one line for a usage error pointing at the right help, -V everywhere, a hint for a worker
// command that was meant for a shell, and help with exit statuses and examples.
// What commander ends (usage errors, help, the version) is checked in this process, against the
// functions manifold reads its command line with (saidHere, support/usage.ts): ~140 starts of
// manifold, one after another, were ~25 s of the CI's CPU. 'the executable says ...' below runs
// a case of each kind as manifold itself, which must say the very same.

const version = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version as string;

/** The subcommands a help lists under "Commands:", the implicit `help` left out. */
const commandsIn = (help: string) =>
  [
    ...help
      .split('\nCommands:\n')[1]!
      .split('\n\n')[0]!
      .matchAll(/^ {2}([a-z]+)\b/gm),
  ]
    .map((m) => m[1]!)
    .filter((name) => name !== 'help');

/** What manifold says of `args` where commander ends the line (never null here). */
const said = (args: string[]) => saidHere(args) ?? { exitCode: -1, stdout: '', stderr: 'ran' };

function everyCommand(): string[][] {
  const top = commandsIn(said(['--help']).stdout);
  const table = commandsIn(said(['table', '--help']).stdout);
  expect(top).toEqual(expect.arrayContaining(['fan', 'run', 'check', 'graph', 'table']));
  expect(table).toEqual(['build', 'get', 'stat', 'serve']);
  return [[], ...top.map((name) => [name]), ...table.map((name) => ['table', name])];
}

describe('manifold alone', () => {
  it('prints the help on stderr and exits 2, with no line of its own', async () => {
    const result = await run(manifold, []);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Usage: manifold \[options\] \[command\]\n/);
    expect(result.stderr).not.toMatch(/^manifold:|outputHelp/m);
    expect(result.stdout.length).toBe(0);
  });
});

describe('a usage error is one line pointing at the help of its command', () => {
  const cases: [string[], string][] = [
    [['--bogus'], 'manifold'],
    [['bogus'], 'manifold'],
    [['fan', '--bogus', '--', 'cat'], 'manifold fan'],
    [['fan', '-j', '2', '--bogus', '--', 'cat'], 'manifold fan'],
    [['run', '--bogus', 'p.yaml'], 'manifold run'],
    [['check'], 'manifold check'],
    [['graph', '--format', 'png', 'p.yaml'], 'manifold graph'],
    [['table', 'build', '--bogus'], 'manifold table build'],
    [['table', 'get', '--bogus', 'x.mft', 'k'], 'manifold table get'],
    [['completion', 'tcsh'], 'manifold completion'],
  ];
  it.for(cases)('%j points at %s --help', ([args, command]) => {
    const result = said(args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(`(see '${command} --help')`);
  });

  it('["fan"], with no command, points at manifold fan --help', async () => {
    // Said by the fan's own reading of its command line, as manifold runs it.
    const result = await run(manifold, ['fan'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain("(see 'manifold fan --help')");
  });

  const typos: [string[], string][] = [
    [
      ['fan', '--mrge', 'ordered', '--', 'cat'],
      "manifold: unknown option '--mrge' (did you mean --merge?) (see 'manifold fan --help')\n",
    ],
    [
      ['tabel'],
      "manifold: unknown command 'tabel' (did you mean table?) (see 'manifold --help')\n",
    ],
    [
      ['run', '--sett', 'X=1', 'p.yaml'],
      "manifold: unknown option '--sett' (did you mean --set?) (see 'manifold run --help')\n",
    ],
  ];
  it.for(typos)('%j keeps the suggestion for a typo on the same line', ([args, line]) => {
    expect(said(args)).toEqual({ exitCode: 2, stdout: '', stderr: line });
  });
});

describe('an unknown option is said before a required option that is missing', () => {
  // commander checked the required options first: a misspelt `--output` was "required option
  // '-o, --output <table>' not specified", the word typed never named.
  const cases: [string[], string][] = [
    [
      ['table', 'build', 'in.txt', '--key', 'whole', '--outptu', 't.mft'],
      "manifold: unknown option '--outptu' (did you mean --output?) (see 'manifold table build --help')\n",
    ],
    [
      ['table', 'build', '--bogus'],
      "manifold: unknown option '--bogus' (see 'manifold table build --help')\n",
    ],
    [
      ['queue', 'status', '--queu', 'nats://127.0.0.1:1'],
      "manifold: unknown option '--queu' (did you mean --queue?) (see 'manifold queue status --help')\n",
    ],
    [
      ['queue', 'rm', '--queue', 'nats://127.0.0.1:1', '--jobs', 'logs'],
      "manifold: unknown option '--jobs' (did you mean --job?) (see 'manifold queue rm --help')\n",
    ],
    // With no unknown option, the missing one is still said.
    [
      ['table', 'build', 'in.txt', '--key', 'whole'],
      "manifold: required option '-o, --output <table>' not specified (see 'manifold table build --help')\n",
    ],
    [
      ['queue', 'rm', '--queue', 'nats://127.0.0.1:1'],
      "manifold: required option '--job <name>' not specified (see 'manifold queue rm --help')\n",
    ],
  ];
  it.for(cases)('%j', ([args, line]) => {
    expect(said(args)).toEqual({ exitCode: 2, stdout: '', stderr: line });
  });
});

describe("a subcommand's option given before its name says where it goes", () => {
  // The program (or `table`) does not know it: `manifold --verbose fan` said "unknown option
  // '--verbose' (see 'manifold fan --help')", a help that lists it; `manifold -j 2 fan` pointed
  // at `manifold --help`, the value between taken for the command's name.
  const cases: [string[], string][] = [
    [
      ['--verbose', 'fan', '--', 'cat'],
      "--verbose is an option of 'manifold fan': put it after fan (manifold fan --verbose ...) (see 'manifold fan --help')",
    ],
    [
      ['-j', '2', 'fan', '--', 'cat'],
      "-j is an option of 'manifold fan': put it after fan (manifold fan -j 2 ...) (see 'manifold fan --help')",
    ],
    [
      ['--merge', 'ordered', '--tag', 'fan', '--', 'cat'],
      "--merge is an option of 'manifold fan': put it after fan (manifold fan --merge ordered ...) (see 'manifold fan --help')",
    ],
    [
      ['--workers=2', 'fan', '--', 'cat'],
      "--workers is an option of 'manifold fan': put it after fan (manifold fan --workers=2 ...) (see 'manifold fan --help')",
    ],
    [
      ['-j2', 'fan', '--', 'cat'],
      "-j is an option of 'manifold fan': put it after fan (manifold fan -j2 ...) (see 'manifold fan --help')",
    ],
    [
      ['--tag=1', 'fan', '--', 'cat'],
      "--tag is an option of 'manifold fan': put it after fan (manifold fan --tag ...) (see 'manifold fan --help')",
    ],
    [
      ['--verbose', 'run', 'x.yaml'],
      "--verbose is an option of 'manifold run': put it after run (manifold run --verbose ...) (see 'manifold run --help')",
    ],
    [
      ['--set', 'A=a b', 'run', 'x.yaml'],
      "--set is an option of 'manifold run': put it after run (manifold run --set 'A=a b' ...) (see 'manifold run --help')",
    ],
    // Between two names, and before both: the command whose option it is.
    [
      ['table', '-o', 't.mft', 'build', 'in.txt'],
      "-o is an option of 'manifold table build': put it after build (manifold table build -o t.mft ...) (see 'manifold table build --help')",
    ],
    [
      ['-o', 't.mft', 'table', 'build', 'in.txt'],
      "-o is an option of 'manifold table build': put it after build (manifold table build -o t.mft ...) (see 'manifold table build --help')",
    ],
    // No command named after it knows it: unknown, as before.
    [['--bogus', 'fan', '--', 'cat'], "unknown option '--bogus' (see 'manifold fan --help')"],
    [['--verbose'], "unknown option '--verbose' (see 'manifold --help')"],
    [['-j', '2', '--', 'fan'], "unknown option '-j' (see 'manifold --help')"],
  ];
  it.for(cases)('%j', ([args, line]) => {
    expect(said(args)).toEqual({ exitCode: 2, stdout: '', stderr: `manifold: ${line}\n` });
  });
});

describe('a flag given a value (--tag=1) is said to take none', () => {
  // `fan --tag=1` said "--tag is an option of 'manifold worker', not of 'manifold fan'" (the
  // fan has --tag); `run --verbose=x` said "unknown option '--verbose=x' (did you mean
  // --verbose?)".
  const cases: [string[], string][] = [
    [
      ['fan', '--tag=1', '--', 'cat'],
      "--tag takes no value (got '--tag=1') (see 'manifold fan --help')",
    ],
    [
      ['fan', '--one-to-one=', '--', 'cat'],
      "--one-to-one takes no value (got '--one-to-one=') (see 'manifold fan --help')",
    ],
    [
      ['run', '--verbose=x', 'p.yaml'],
      "--verbose takes no value (got '--verbose=x') (see 'manifold run --help')",
    ],
    // A short one: commander reads -0=1 as -0 and -=1, which it called unknown: "unknown
    // option '-=1'", a flag no one wrote.
    [['fan', '-0=1', '--', 'cat'], "-0 takes no value (got '-0=1') (see 'manifold fan --help')"],
    [
      ['fan', '-j', '2', '-0=', '--', 'cat'],
      "-0 takes no value (got '-0=') (see 'manifold fan --help')",
    ],
    // The other face's flag is still said to be its.
    [
      ['fan', '--stdio=1', '--', 'cat'],
      "--stdio is an option of 'manifold worker', not of 'manifold fan' (see 'manifold fan --help')",
    ],
  ];
  it.for(cases)('%j', ([args, line]) => {
    expect(said(args)).toEqual({ exitCode: 2, stdout: '', stderr: `manifold: ${line}\n` });
  });
});

describe('-V=1 and -h=1 are said to take no value, in every command', () => {
  // commander read -V=1 as -V (the version printed, exit 0: the `=1` unseen) and -h=1 as an
  // unknown option ("unknown option '-h=1'"), where -0=1 said "-0 takes no value".
  it('in manifold and each of its commands and subcommands', () => {
    const commands = [...everyCommand(), ['queue', 'status'], ['queue', 'rm']];
    for (const path of commands) {
      for (const word of ['-V=1', '-h=1']) {
        const args = [...path, word, ...(path[0] === 'fan' ? ['--', 'cat'] : [])];
        const help = ['manifold', ...path].join(' ');
        expect({ path, ...said(args) }).toEqual({
          path,
          exitCode: 2,
          stdout: '',
          stderr: `manifold: ${word.slice(0, 2)} takes no value (got '${word}') (see '${help} --help')\n`,
        });
      }
    }
  });

  it.for([
    // In a group of flags, after a flag that takes a value's value, and after an unknown one.
    [['fan', '-0V=1', '--', 'cat'], "-V takes no value (got '-0V=1')"],
    [['fan', '-j', '-V=1', '--', 'cat'], null],
    [['table', 'get', '--bogus', '-V=1', 't.mft'], "-V takes no value (got '-V=1')"],
    // A line break in it is quoted as bash would, in the one line.
    [['fan', '-0=\n', '--', 'cat'], "-0 takes no value (got $'-0=\\n')"],
  ] as [string[], string | null][])('%j', async ([args, line]) => {
    const result = await run(manifold, args, '');
    expect(result.exitCode).toBe(2);
    if (line === null) expect(result.stderr).not.toMatch(/takes no value/);
    else
      expect(result.stderr).toBe(
        `manifold: ${line} (see 'manifold ${args[0] === 'fan' ? 'fan' : 'table get'} --help')\n`,
      );
  });

  it("words after --, or a worker command's own, are not read", async () => {
    const result = await run(manifold, ['fan', '-j', '1', 'echo', '-V=1', '-h=1'], 'a\n');
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: '-V=1 -h=1\n',
    });
  });
});

describe('a value with a line break in it is said in the one line', () => {
  // Every value is quoted as bash would (quoteName), its line break as $'\n': quoted as it is,
  // its line break would end the line, and the rest of the message (the pointer to the help
  // too) stand on a line of its own; said as a space, it would not be the value given.
  const cases: [string[], string][] = [
    [
      ['fan', '-j', '1\n2', '--', 'cat'],
      `manifold: -j, --workers must be a whole number from 1 to 4096, or +N, -N, N% of the CPUs (got $'1\\n2') (see 'manifold fan --help')\n`,
    ],
    [
      ['fan', '--block', '1M\n', '--', 'cat'],
      `manifold: --block $'1M\\n' is not a size (examples: 4096, 64K, 1M, 2G) (see 'manifold fan --help')\n`,
    ],
    [
      ['fan', '--input', '/nonexistent\nin', '--', 'cat'],
      // A name is quoted as bash would (quoteName): its line break is said, as $'\n'.
      "manifold: --input $'/nonexistent\\nin': no such file\n",
    ],
    [
      ['fan', '--field-sep', '\n', '--', 'cat'],
      `manifold: --field-sep $'\\n' splits the fields of --key field:N: it needs one (--key is whole) (see 'manifold fan --help')\n`,
    ],
  ];
  it.for(cases)('%j', async ([args, line]) => {
    const result = await run(manifold, args, 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: line,
    });
  });
});

describe("an option of the fan's other face is said to be so", () => {
  // The coordinator (fan) and its workers (worker) share many options; one of either given to
  // the other was "unknown option '--connect-timeout'", with no hint whose it is.
  const faces: [string[], string][] = [
    [
      ['fan', '--queue', 'nats://127.0.0.1:1', '--connect-timeout', '1s'],
      "--connect-timeout is an option of 'manifold worker', not of 'manifold fan' (see 'manifold fan --help')",
    ],
    [
      ['fan', '--connect-timeout=1s', '--', 'cat'],
      "--connect-timeout is an option of 'manifold worker', not of 'manifold fan' (see 'manifold fan --help')",
    ],
    [
      ['fan', '--host', 'h1', '--stdio', '--', 'cat'],
      "--stdio is an option of 'manifold worker', not of 'manifold fan' (see 'manifold fan --help')",
    ],
    [
      ['worker', '--queue', 'nats://127.0.0.1:1', '--retries', '2', '--', 'cat'],
      "--retries is an option of 'manifold fan', not of 'manifold worker' (see 'manifold worker --help')",
    ],
    [
      ['worker', '--stdio', '--merge', 'ordered'],
      "--merge is an option of 'manifold fan', not of 'manifold worker' (see 'manifold worker --help')",
    ],
    // A word that reads as a negative number, which commander takes for an argument where no
    // option is a digit: the worker would run `-0` as its command (not found, 127).
    [
      ['worker', '--queue', 'nats://127.0.0.1:1', '-0', '--', 'cat'],
      "-0 is an option of 'manifold fan', not of 'manifold worker' (see 'manifold worker --help')",
    ],
    [
      ['worker', '--queue', 'nats://127.0.0.1:1', '-j', '2', '-0', 'cat'],
      "-0 is an option of 'manifold fan', not of 'manifold worker' (see 'manifold worker --help')",
    ],
    [
      ['worker', '--queue', 'nats://127.0.0.1:1', '-9', '--', 'cat'],
      "unknown option '-9' (see 'manifold worker --help')",
    ],
    // As the fan says it.
    [['fan', '-9', '--', 'cat'], "unknown option '-9' (see 'manifold fan --help')"],
    // Neither's: unknown, as before.
    [
      ['worker', '--queue', 'nats://127.0.0.1:1', '--bogus', '--', 'cat'],
      "unknown option '--bogus' (see 'manifold worker --help')",
    ],
  ];
  it.for(faces)('%j', ([args, line]) => {
    expect(said(args)).toEqual({ exitCode: 2, stdout: '', stderr: `manifold: ${line}\n` });
  });
});

describe('-V and --version', () => {
  it('print the version on every command and subcommand, exit 0', () => {
    for (const path of everyCommand()) {
      for (const flag of ['-V', '--version']) {
        expect({ path, flag, ...said([...path, flag]) }).toEqual({
          path,
          flag,
          exitCode: 0,
          stdout: `${version}\n`,
          stderr: '',
        });
      }
    }
  });
});

describe('a worker command meant for a shell', () => {
  it('as one word, not found: the one line says to add --shell', async () => {
    const result = await run(manifold, ['fan', '--', 'grep a | wc -l'], 'a\n');
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(
      "command not found (a shell command line: to run it with /bin/sh -c, add --shell: manifold fan --shell -- 'grep a | wc -l')",
    );
  });

  it("as separate words: when the fan fails, a last line says '|' was an argument", async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '1', '--', 'grep', 'a', '|', 'wc', '-l'],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n').at(-2)).toBe(
      "manifold: hint: '|' was an argument of grep: to run it with /bin/sh -c, add --shell: manifold fan --shell -- 'grep a | wc -l'",
    );
  });

  it("a '|' that is meant as an argument, and --shell, give no hint", async () => {
    const tr = await run(manifold, ['fan', '--', 'tr', '|', ','], 'a|b\n');
    expect([tr.exitCode, tr.stdout.toString(), tr.stderr]).toEqual([0, 'a,b\n', '']);
    const shell = await run(manifold, ['fan', '-j', '1', '--shell', '--', 'grep a | wc -l'], 'a\n');
    expect([shell.exitCode, shell.stdout.toString(), shell.stderr]).toEqual([0, '1\n', '']);
  });
});

describe('a hint for grep, whose status 1 means it selected nothing', () => {
  const hint =
    'manifold: hint: grep exits 1 when it selects nothing; for that not to fail the run, add --ok-status 0,1';

  it.for(
    [
      ['fan', '-j', '1', '--', 'grep', 'x'],
      ['fan', '-j', '1', '--', '/bin/grep', 'x'],
      ['fan', '-j', '1', '--shell', '--', 'cut -c1- | LC_ALL=C grep x'],
      ['fan', '-j', '1', '--merge', 'ordered', '--', 'grep', 'x'],
    ].map((args) => ({ args, line: args.join(' ') })),
  )('$line: after the failure, a last line names --ok-status 0,1', async ({ args }) => {
    const result = await run(manifold, args, 'a\nb\n');
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([expect.stringMatching(/exited with status 1/), hint]);
  });

  it('none where the status is not 1, the program is not a grep, or 1 is accepted', async () => {
    const [two, other, accepted] = await Promise.all([
      run(manifold, ['fan', '-j', '1', '--', 'grep', '-E', '('], 'a\n'),
      run(manifold, ['fan', '-j', '1', '--shell', '--', 'grep x | false'], 'a\n'),
      run(manifold, ['fan', '-j', '1', '--ok-status', '0,1', '--', 'grep', 'x'], 'a\n'),
    ]);
    expect(two.exitCode).toBe(1);
    expect(two.stderr).toContain('exited with status 2');
    expect(two.stderr).not.toContain('hint');
    expect(other.exitCode).toBe(1);
    expect(other.stderr).not.toContain('hint');
    expect([accepted.exitCode, accepted.stderr]).toEqual([0, '']);
  });
});

describe('manifold help <command> [<subcommand>]', () => {
  it.for([
    [
      ['help', 'table', 'build'],
      ['table', 'build'],
    ],
    [
      ['table', 'help', 'build'],
      ['table', 'build'],
    ],
    [
      ['help', 'queue', 'status'],
      ['queue', 'status'],
    ],
  ])('%j prints the help of %j --help, exit 0', ([words, path]) => {
    const help = said(words!);
    expect({ exitCode: help.exitCode, stderr: help.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(new RegExp(`^Usage: manifold ${path!.join(' ')}`));
    expect(help.stdout).toBe(said([...path!, '--help']).stdout);
  });

  it('a subcommand that does not exist: one line naming the commands there are, exit 2', () => {
    expect(said(['help', 'table', 'biuld'])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        "manifold: unknown command 'biuld' (commands: build, get, stat, serve) (see 'manifold table --help')\n",
    });
  });
});

describe('a subcommand that does not exist, without help', () => {
  it.for([
    ['table', 'read', 'build, get, stat, serve'],
    ['queue', 'bogus', 'status, rm'],
  ])('manifold %s %s: one line naming the commands there are, exit 2', ([command, word, known]) => {
    const result = said([command!, word!, 'x.mft', 'k']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `manifold: unknown command '${word}' (commands: ${known}) (see 'manifold ${command} --help')\n`,
    );
  });

  // With an option of the meant command after it, it said `unknown option '--queue'` (QA).
  it.for([
    ['queue', 'stauts', '--queue', 'status, rm'],
    ['table', 'biuld', '--key', 'build, get, stat, serve'],
  ])('manifold %s %s %s ...: the command is what is unknown', ([command, word, option, known]) => {
    const result = said([command!, word!, option!, 'x']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `manifold: unknown command '${word}' (commands: ${known}) (see 'manifold ${command} --help')\n`,
    );
    // An unknown option of the command itself is still one.
    expect(said([command!, '--bogus']).stderr).toBe(
      `manifold: unknown option '--bogus' (see 'manifold ${command} --help')\n`,
    );
  });
});

describe('--help of each command', () => {
  it.for([
    ['run'],
    ['check'],
    ['graph'],
    ['table'],
    ['completion'],
    ['fan'],
    ['worker'],
    ['queue', 'status'],
    ['queue'],
  ])('manifold %s --help has exit statuses and examples', (path) => {
    const result = said([...path, '--help']);
    expect(result.exitCode).toBe(0);
    const help = result.stdout;
    expect(help).toMatch(/\nExit status: 0 /);
    expect(help).toMatch(new RegExp(`\\nExamples:\\n {2}(source <\\(|)manifold ${path[0]} `));
  });

  it('manifold --help has exit statuses and examples of its commands (it had neither)', () => {
    const result = said(['--help']);
    expect(result.exitCode).toBe(0);
    const help = result.stdout;
    expect(help).toMatch(/\nExit status: 0 /);
    expect(help).toMatch(/\nExamples:\n {2}seq 1000000 \| manifold fan /);
  });
});

describe('the executable says what is found here, a case of each kind', () => {
  it.for(
    [
      ['--bogus'],
      ['tabel'],
      ['fan', '--mrge', 'ordered', '--', 'cat'],
      ['table', 'build', 'in.txt', '--key', 'whole'],
      ['fan', '--tag=1', '--', 'cat'],
      ['queue', 'rm', '-h=1'],
      ['worker', '--stdio', '--merge', 'ordered'],
      ['-j', '2', 'fan', '--', 'cat'],
      ['help', 'table', 'biuld'],
      ['help', 'queue', 'status'],
      ['table', 'get', '--version'],
      ['completion', '--help'],
    ].map((args) => ({ args, line: args.join(' ') })),
  )('manifold $line', async ({ args }) => {
    const result = await run(manifold, args, 'a\n');
    const here = saidHere(args);
    expect(here).not.toBeNull();
    expect({
      exitCode: result.exitCode,
      stdout: result.stdout.toString(),
      stderr: result.stderr,
    }).toEqual(here);
  });
});
