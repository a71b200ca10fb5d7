import { describe, expect, it } from 'vitest';
import { run } from '../helpers.js';
import { check, expectProblems, tempDir } from '../support/check.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { writeConfig } from '../support/temp.js';

// A shell string's programs are looked for only where the check is sure the line runs them:
// it refused lines `sh -c` runs (exit 2, "hello: command not found" for a here-document's text).

const BUILTINS = ['alias', 'unalias', 'getopts', 'hash', 'jobs', 'readonly', 'times', 'fg', 'bg'];

/** Lines /bin/sh runs, each with what it reads. */
const LINES: [line: string, input: string][] = [
  ['cat - <<EOF2\nhello world\nEOF2\n', ''],
  ['cat <<-"E" | tr a-z A-Z\n\tx | y; z\n\tE\ncat', 'in\n'],
  ['while read l; do [ "$l" = 3 ] && break; echo "$l"; done', '1\n2\n3\n4\n'],
  ['for i in 1 2; do [ $i = 1 ] && continue; cat; done', 'a\n'],
  ['readonly N=2; head -n $N', '1\n2\n3\n'],
  ['cat # a | b ; c & d', 'a\n'],
  ['case a in\n  start|stop) echo x;;\n  *) cat;;\nesac', 'a\n'],
  ['echo a\\;b; cat', 'c\n'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's, not JavaScript's.
  ['echo "$(echo x)" ${u:+$(no-such-mf-default)}; cat', 'y\n'],
  ['[ -n "$UNSET_MF" ] && no-such-mf-guarded; cat', 'g\n'],
  ['if false; then no-such-mf-then; fi; cat', 'h\n'],
  ['f() { no-such-mf-unused; }; cat', 'i\n'],
  ['command -v no-such-mf-probe >/dev/null && no-such-mf-probe || cat', 'j\n'],
  ['cd / && ./no-such-mf-here 2>/dev/null; cat', 'k\n'],
  ['PATH="$PATH:/nowhere"; cat', 'l\n'],
  ...BUILTINS.map((name): [string, string] => [`${name} >/dev/null 2>&1; cat`, `${name}\n`]),
];

describe('a shell string /bin/sh runs', () => {
  it.each(LINES)('checks clean and runs as sh -c runs it: %j', async (line, input) => {
    const dir = tempDir();
    const config = writeConfig(dir, { stages: [{ run: line }] });
    const checked = await check(config);
    expect(outcome(checked)).toEqual({ exitCode: 0, stderr: '', stdout: '' });
    const shell = await run('/bin/sh', ['-c', line], input, { cwd: dir });
    const ran = await runConfig(config, input);
    expect({ exitCode: ran.exitCode, stdout: ran.stdout.toString() }).toEqual({
      exitCode: shell.exitCode,
      stdout: shell.stdout.toString(),
    });
  });

  it('as a fan worker and in a worker pipeline too', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      stages: [
        { fan: { workers: 1, worker: 'readonly N=2; head -n $N' } },
        { fan: { workers: 1, worker: { stages: [{ run: 'cat <<E\nx\nE\n' }, { run: 'cat' }] } } },
      ],
    });
    expect(outcome(await runConfig(config, '1\n2\n3\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'x\n',
    });
  });
});

describe('a program a shell string surely runs', () => {
  it('is still looked for: after a here-document, a comment, a case, in a pipeline', async () => {
    const text = [
      'stages:',
      '  - run: "cat <<EOF\\nx | y\\nEOF\\nno-such-mf1"',
      '  - run: "cat # a | b\\nsort | no-such-mf2"',
      '  - run: "echo a\\\\;b; no-such-mf3 -x"',
      '  - run: "readonly N=1; x=$(no-such-mf4); cat"',
      '  - run: "if no-such-mf5; then cat; fi"',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['"cat <<EOF', /no-such-mf1: command not found$/],
      ['"cat # a', /no-such-mf2: command not found$/],
      ['"echo a', /no-such-mf3: command not found$/],
      ['"readonly', /no-such-mf4: command not found$/],
      ['"if no-such', /no-such-mf5: command not found$/],
    ]);
  });
});
