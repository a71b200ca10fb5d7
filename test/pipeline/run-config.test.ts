import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold run <config>` end to end, its config files, input and output: configs are written
// into temporary folders and run from another, so that relative paths are the config's.

const tempDir = () => makeTempDir('manifold-pipe-run-');

describe('config files', () => {
  it('YAML and the same config as JSON give the same output', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), numbered(1, 500));
    const config = {
      input: 'in.txt',
      env: { SUFFIX: '!' },
      stages: [
        { name: 'mark', run: 'sed "s/$/$SUFFIX/"' },
        { fan: { workers: 2, block: '1K', merge: 'ordered', worker: ['tr', '0-9', 'a-j'] } },
        {
          branches: { upper: [{ run: 'tr a-j A-J' }], plain: [{ run: ['cat'] }] },
          combine: 'concat',
        },
      ],
    };
    const yaml = await runConfig(writeConfig(dir, config, 'pipeline.yaml'));
    const json = await runConfig(writeConfig(dir, JSON.stringify(config, null, 2), 'p.json'));
    const digits = numbered(1, 500)
      .replace(/\n/g, '!\n')
      .replace(/\d/g, (d) => 'abcdefghij'[+d]!);
    const expected = digits.toUpperCase() + digits;
    expect(outcome(yaml)).toEqual({ exitCode: 0, stderr: '', stdout: expected });
    expect(outcome(json)).toEqual(outcome(yaml));
  });
});

describe("the config's folder", () => {
  // A fan's workers ran in manifold's working directory, not the config's folder as every other
  // process of the run: a command checked there (./up.sh) was not found when the fan started it.
  const workers = [
    ['a shell string', { worker: './up.sh' }],
    ['an array', { worker: ['./up.sh'] }],
    ['a sub-pipeline', { worker: { stages: [{ run: 'cat' }, { run: ['./up.sh'] }] } }],
    ['a process per block', { worker: './up.sh', retries: 1, attribution: 'per-block' }],
  ] as const;
  const starters = ['python3', 'perl', 'spawn'];
  it.each(starters.flatMap((starter) => workers.map(([what, fan]) => [what, starter, fan])))(
    "is where a fan's worker runs: %s, started by %s",
    async (_, starter, fan) => {
      const dir = tempDir();
      writeFileSync(join(dir, 'up.sh'), '#!/bin/sh\ntr a-z A-Z\necho "in $(pwd)"\n', {
        mode: 0o755,
      });
      const config = writeConfig(dir, { stages: [{ fan: { workers: 1, ...(fan as object) } }] });
      const env: Record<string, string> =
        starter === 'python3' ? {} : { MANIFOLD_STARTER: starter as string };
      expect(outcome(await runConfig(config, 'hello\n', { env }))).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: `HELLO\nin ${dir}\n`,
      });
    },
  );
});

describe('numbers in a config', () => {
  it('reach a command and the environment as written: 007 stays 007', async () => {
    // YAML reads 01234, 1.10, 0x10 and 1e3 as numbers: they reached the commands as 1234, 1.1,
    // 16 and 1000, and a long one rounded (12345678901234567000). The fan's numbers are numbers.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'env: {ZIP: 01234, RATE: 1.10}',
        'stages:',
        '  - run: [echo, 007, 0x10, 1e3, 12345678901234567890]',
        '  - run: echo "$(cat) $ZIP $RATE"',
        '  - fan: {workers: 2, block: 4096, retries: 1, timeout: 30, header: 0, ok-status: [0, 1], worker: cat}',
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '007 0x10 1e3 12345678901234567890 01234 1.10\n',
    });
  });
});

describe('input', () => {
  it.each([
    ['no input key', ''],
    ["input: '-'", "input: '-'\n"],
    ['input: stdin', 'input: stdin\n'],
  ])('reads stdin with %s', async (_, inputLine) => {
    const dir = tempDir();
    const config = writeConfig(dir, `${inputLine}stages:\n  - run: [tr, a-z, A-Z]\n`);
    expect(outcome(await runConfig(config, 'hello\nworld\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'HELLO\nWORLD\n',
    });
  });

  it('reads one file named relative to the config, not stdin', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'one.txt'), 'from the file\n');
    const config = writeConfig(dir, 'input: data/one.txt\nstages:\n  - run: cat\n');
    expect(outcome(await runConfig(config, 'from stdin\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'from the file\n',
    });
  });

  it('reads several files and globs in the order given, each glob sorted', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'parts'));
    for (const name of ['b', 'c', 'a'])
      writeFileSync(join(dir, 'parts', `${name}.log`), `${name}\n`);
    writeFileSync(join(dir, 'parts', 'skip.txt'), 'not a log\n');
    writeFileSync(join(dir, 'head.txt'), 'head\n');
    writeFileSync(join(dir, 'tail.txt'), 'tail\n');
    const config = writeConfig(
      dir,
      'input: [tail.txt, "parts/*.log", head.txt]\nstages:\n  - run: cat\n',
    );
    expect(outcome(await runConfig(config, 'from stdin\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'tail\na\nb\nc\nhead\n',
    });
  });

  it.each([
    ['input: /dev/stdin', 'input: /dev/stdin\n', 'from stdin\n'],
    ['input: [head.txt, /dev/stdin]', 'input: [head.txt, /dev/stdin]\n', 'head\nfrom stdin\n'],
  ])(
    '%s reads stdin, a pipe, as cat would: it read nothing, exit 0',
    async (_, inputLine, stdout) => {
      const dir = tempDir();
      writeFileSync(join(dir, 'head.txt'), 'head\n');
      for (const stage of ['run: cat', 'fan: {worker: cat}']) {
        const config = writeConfig(dir, `${inputLine}stages:\n  - ${stage}\n`);
        // A kernel pipe, as a shell gives: Node's own stdin for a child is a socket, which
        // /dev/stdin cannot be opened on (ENXIO), for cat in a shell as for manifold.
        const script = 'printf "from stdin\\n" | "$0" run "$1"';
        const piped = await run('sh', ['-c', script, manifold, config], '', {
          cwd: tempDir(),
          timeout: 20_000,
        });
        expect(outcome(piped)).toEqual({ exitCode: 0, stderr: '', stdout });
      }
    },
  );
});

describe('output', () => {
  it('goes to stdout by default, and with output: -', async () => {
    const dir = tempDir();
    for (const head of ['', "output: '-'\n"]) {
      const config = writeConfig(dir, `${head}stages:\n  - run: [rev]\n`);
      expect(outcome(await runConfig(config, 'abc\n'))).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: 'cba\n',
      });
    }
  });

  it('is kept when the last stage is killed by SIGPIPE, which a file it writes cannot give', async () => {
    // A SIGPIPE is forgiven a stage whose reader went away (yes | head -1); a file has no reader
    // to go, so the stage died of another pipe (its stderr's reader gone) with its output cut
    // short: the run fails, and the cut output does not replace the file.
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old content\n');
    const config = writeConfig(
      dir,
      'output: out.txt\nstages:\n  - name: cut\n    run: seq 3; kill -PIPE $$; seq 4 9\n',
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 1,
      stderr: 'manifold: stage cut (seq 3; kill -PIPE $$; seq 4 9) was killed by SIGPIPE\n',
      stdout: '',
    });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('old content\n');
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'pipeline.yaml']);
  });

  it('to a file (relative to the config) appears with the content on success, nothing else left', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old content\n');
    const config = writeConfig(dir, 'output: out.txt\nstages:\n  - run: seq 3\n');
    expect(outcome(await runConfig(config))).toEqual({ exitCode: 0, stderr: '', stdout: '' });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('1\n2\n3\n');
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'pipeline.yaml']);
  });

  it('keeps the old content of the file when a stage fails, and leaves no temporary file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old content\n');
    // The failing stage writes output first: none of it may reach out.txt.
    const config = writeConfig(
      dir,
      'output: out.txt\nstages:\n  - run: seq 1000\n  - run: "cat; exit 5"\n',
    );
    const result = await runConfig(config);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^manifold: stage stages\[1\] .*exited with status 5\n$/);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('old content\n');
    expect(readdirSync(dir).sort()).toEqual(['out.txt', 'pipeline.yaml']);
  });

  it('is not created at all when a stage fails and there was no file before', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, 'output: out.txt\nstages:\n  - run: "echo partial; exit 3"\n');
    expect((await runConfig(config)).exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual(['pipeline.yaml']);
  });
});
