import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { sha256 } from '../support/diff.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold run <config>`: external commands joined by kernel pipes, and pipefail: a stage that
// fails fails the run, named in one line.

const tempDir = () => makeTempDir('manifold-pipe-run-');

describe('kernel pipes between external commands', () => {
  it('yes then head -1 ends quietly with exit 0 and one y', async () => {
    const config = writeConfig(tempDir(), 'stages:\n  - run: yes\n  - run: head -1\n');
    expect(outcome(await runConfig(config))).toEqual({ exitCode: 0, stderr: '', stdout: 'y\n' });
  });

  it.each(['merge', 'concat'])(
    'yes then branches (combine: %s) then head -1 ends quietly with exit 0 and one y',
    async (combine) => {
      // The combiner lets its branches go when head closes its output, rather than read on.
      const config = writeConfig(
        tempDir(),
        `stages:\n  - run: yes\n  - branches: {a: [{run: cat}], b: [{run: cat}]}\n    combine: ${combine}\n  - run: head -1\n`,
      );
      expect(outcome(await runConfig(config))).toEqual({ exitCode: 0, stderr: '', stdout: 'y\n' });
    },
  );

  it('connects two commands by one kernel pipe: the writer and the reader hold the same pipe', async () => {
    // Each stage records what its standard descriptor is: a pipe (a FIFO, not a socket pair),
    // and the same one for both, means no byte passes through manifold.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        `  - run: w=$(stat -L -c '%F %d:%i' /proc/$$/fd/1); echo "$w" > writer; echo through`,
        `  - run: r=$(stat -L -c '%F %d:%i' /proc/$$/fd/0); echo "$r" > reader; cat`,
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'through\n',
    });
    const writer = readFileSync(join(dir, 'writer'), 'utf8');
    expect(writer).toMatch(/^fifo \d+:\d+\n$/);
    expect(readFileSync(join(dir, 'reader'), 'utf8')).toBe(writer);
  });

  it('a stage that opens its input again by name after its writer ended reads it, as in a shell', async () => {
    // `cat /dev/stdin` opens the pipe again. A named pipe (a FIFO) would make that open wait
    // for a writer that is gone, forever; an anonymous pipe gives what is left, then its end.
    // The second stage opens it only once the first has exited (its /proc entry gone or a
    // zombie's): no writer is left.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        `  - run: printf 'one\\ntwo\\n'; echo $$ > writer`,
        `  - run: until [ -s writer ] && ! grep -qs '^[0-9]* ([^)]*) [^Z]' /proc/$(cat writer)/stat; do :; done; cat /dev/stdin`,
        '',
      ].join('\n'),
    );
    expect(outcome(await runConfig(config, '', { timeout: 10_000 }))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'one\ntwo\n',
    });
  });

  it('passes 50 MB through three cat stages byte for byte', async () => {
    const dir = tempDir();
    const data = randomBytes(50 * 1024 * 1024);
    writeFileSync(join(dir, 'big.bin'), data);
    const config = writeConfig(
      dir,
      'input: big.bin\nstages:\n  - run: cat\n  - run: [cat]\n  - run: cat\n',
    );
    const result = await runConfig(config);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(result.stdout.length).toBe(data.length);
    expect(sha256(result.stdout)).toBe(sha256(data));
  });
});

describe('pipefail', () => {
  // Each: the test's name, the config's stages, stdin, the one line on stderr, stdout.
  const failures: [string, string, string, string, string][] = [
    [
      // yes ends by SIGPIPE when head exits: only the failing reader is reported.
      'fails with one line naming a named stage, its command and status',
      '  - run: yes\n  - name: picky\n    run: "head -1; exit 4"\n  - run: cat\n',
      '',
      'stage picky (head -1; exit 4) exited with status 4',
      'y\n',
    ],
    [
      'names an unnamed stage by its place, stages[2]',
      "  - run: cat\n  - run: cat\n  - run: [sh, -c, 'cat; exit 3']\n",
      'a\n',
      'stage stages[2] (sh -c cat; exit 3) exited with status 3',
      'a\n',
    ],
    [
      'names the signal that killed a stage',
      '  - run: cat\n  - name: victim\n    run: "kill -KILL $$"\n  - run: cat\n',
      'a\n',
      'stage victim (kill -KILL $$) was killed by SIGKILL',
      '',
    ],
    [
      // A command of several lines is named in one line: the line breaks were written as they
      // were, and the message went on over several lines.
      'names a command of several lines in one line',
      '  - run: cat\n  - name: multi\n    run: |\n      cat\n      exit 3\n',
      'a\n',
      'stage multi (cat exit 3) exited with status 3',
      'a\n',
    ],
    [
      'fails when the first stage fails, even though the later ones succeed',
      '  - name: source\n    run: "echo a; exit 7"\n  - run: cat\n  - run: cat\n',
      '',
      'stage source (echo a; exit 7) exited with status 7',
      'a\n',
    ],
  ];
  it.each(failures)('%s', async (_, stages, input, line, stdout) => {
    const config = writeConfig(tempDir(), `stages:\n${stages}`);
    expect(outcome(await runConfig(config, input))).toEqual({
      exitCode: 1,
      stderr: `manifold: ${line}\n`,
      stdout,
    });
  });

  it.each([
    ['an endless command', 'stages:\n  - run: yes\n'],
    ['an endless command and a cat', 'stages:\n  - run: yes\n  - run: [cat]\n'],
    ['an endless command and a fan', 'stages:\n  - run: yes\n  - fan:\n      worker: cat\n'],
    // It ended 0: the descriptor it was given was taken for a device, whose reader may go.
    ['output: /dev/stdout', 'output: /dev/stdout\nstages:\n  - run: yes\n'],
    // The combiner lets its inputs go when its output closes, rather than read on and throw the
    // bytes away for ever, merge at full speed, concat spooling the second branch to disk.
    ...(['merge', 'concat'] as const).map((combine) => [
      `an endless command into branches, combine: ${combine}`,
      `stages:\n  - run: yes\n  - branches: {a: [{run: cat}], b: [{run: cat}]}\n    combine: ${combine}\n`,
    ]),
  ])('with %s, | head -1 kills manifold by SIGPIPE, quietly', async (_, text) => {
    const config = writeConfig(tempDir(), text);
    const script = `${manifold} run '${config}' </dev/null | head -1; echo "\${PIPESTATUS[0]}"`;
    const result = await run('bash', ['-c', script], '', { timeout: 20_000 });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'y\n141\n' });
  });
});
