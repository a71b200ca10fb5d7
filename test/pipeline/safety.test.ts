import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// Hostile and broken surroundings of `manifold run`: planted links, variables holding shell
// code, full disks, outputs that are folders, configs that aim at Object's prototype.

const tempDir = () => makeTempDir('manifold-pipe-safety-');

/** Runs `script` in bash in `dir`, with $MANIFOLD set: for `exec`, `ulimit`, `umask`, `>`. */
function shell(dir: string, script: string, input = '', env: Record<string, string> = {}) {
  return run('bash', ['-c', script], input, {
    cwd: dir,
    env: { MANIFOLD: manifold, ...env },
    timeout: 20_000,
  });
}

const leftovers = (dir: string) => readdirSync(dir).filter((name) => name.includes('.manifold-'));

describe('the atomic output', () => {
  it('never writes through a link planted at the temporary name', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'victim'), 'precious\n');
    writeConfig(dir, 'output: out.txt\nstages:\n  - run: [tr, a-z, A-Z]\n', 'c.yaml');
    // A name made of manifold's pid, as a guessable temporary name would be: exec keeps the
    // shell's pid, so $$ is manifold's.
    const result = await shell(
      dir,
      'ln -s victim .out.txt.manifold-$$.tmp; exec "$MANIFOLD" run c.yaml',
      'data\n',
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('DATA\n');
  });

  it("keeps an existing output's mode; a new one gets 0666 less the umask", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kept.txt'), 'old\n');
    chmodSync(join(dir, 'kept.txt'), 0o600);
    writeConfig(dir, 'output: kept.txt\nstages:\n  - run: [cat]\n', 'kept.yaml');
    writeConfig(dir, 'output: new.txt\nstages:\n  - run: [cat]\n', 'new.yaml');
    const result = await shell(
      dir,
      'umask 027; "$MANIFOLD" run kept.yaml <<< kept && "$MANIFOLD" run new.yaml <<< new',
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(readFileSync(join(dir, 'kept.txt'), 'utf8')).toBe('kept\n');
    expect(statSync(join(dir, 'kept.txt')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'new.txt')).mode & 0o777).toBe(0o640);
  });

  it('writes through an output that is a symbolic link, as `>` does: the link stays', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'real.txt'), 'old\n');
    symlinkSync('data/real.txt', join(dir, 'out.txt'));
    // A link to a file not there yet: `>` creates the file.
    symlinkSync('data/new.txt', join(dir, 'dangling.txt'));
    writeConfig(dir, 'output: out.txt\nstages:\n  - run: [tr, a-z, A-Z]\n', 'c.yaml');
    writeConfig(dir, 'output: dangling.txt\nstages:\n  - run: [cat]\n', 'd.yaml');
    const result = await shell(
      dir,
      '"$MANIFOLD" run c.yaml <<< data && "$MANIFOLD" run d.yaml <<< new',
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(lstatSync(join(dir, 'out.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'data', 'real.txt'), 'utf8')).toBe('DATA\n');
    expect(lstatSync(join(dir, 'dangling.txt')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'data', 'new.txt'), 'utf8')).toBe('new\n');
    expect([...leftovers(dir), ...leftovers(join(dir, 'data'))]).toEqual([]);
  });

  it('writes an output that is a FIFO directly, as `>` does, and leaves it a FIFO', async () => {
    const dir = tempDir();
    writeConfig(dir, 'output: out.fifo\nstages:\n  - run: [tr, a-z, A-Z]\n', 'c.yaml');
    const result = await shell(
      dir,
      [
        'mkfifo out.fifo',
        'timeout 10 cat out.fifo > got &',
        '"$MANIFOLD" run c.yaml <<< data',
        'wait',
        'cat got',
        'test -p out.fifo && echo still a FIFO',
      ].join('\n'),
    );
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout.toString(),
    }).toEqual({ exitCode: 0, stderr: '', stdout: 'DATA\nstill a FIFO\n' });
  });

  it('leaves no temporary file when the run fails', async () => {
    const dir = tempDir();
    writeConfig(dir, 'output: out.txt\nstages:\n  - run: [cat]\n  - run: exit 3\n', 'c.yaml');
    const result = await shell(dir, 'exec "$MANIFOLD" run c.yaml', 'data\n');
    expect(result.exitCode).toBe(1);
    expect(leftovers(dir)).toEqual([]);
    expect(existsSync(join(dir, 'out.txt'))).toBe(false);
  });
});

describe('join arrays never meet the shell', () => {
  const joinConfig = (dir: string, join: string) =>
    writeConfig(
      dir,
      `stages:\n  - branches:\n      a: [{run: [cat]}]\n    combine: join\n    join: ${join}\n`,
      'c.yaml',
    );

  it('a --set value is one word of the command, never shell code', async () => {
    const dir = tempDir();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's variable, not JavaScript's.
    joinConfig(dir, '[cat, "{a}${S}"]');
    const result = await shell(dir, `exec "$MANIFOLD" run c.yaml --set 'S=$(touch pwned)'`, 'x\n');
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    // The word names no file: cat says so, and the join fails.
    expect(result.stderr).toContain('$(touch pwned)');
    expect(result.exitCode).toBe(1);
  });

  it('a word with spaces stays one argument', async () => {
    const dir = tempDir();
    joinConfig(dir, '[sh, -c, "tr a-z A-Z < {a}"]');
    const result = await shell(dir, 'exec "$MANIFOLD" run c.yaml', 'hello\nworld\n');
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      stdout: result.stdout.toString(),
    }).toEqual({ exitCode: 0, stderr: '', stdout: 'HELLO\nWORLD\n' });
  });
});

describe('a failing output is one line', () => {
  /**
   * Runs `script` in a new folder whose c.yaml combines two branches of cat by `combine`, on
   * 50,000 lines, with TMPDIR a folder of its own: how it ended, and what it left in TMPDIR.
   */
  async function branches(combine: string, script: string) {
    const dir = tempDir();
    writeConfig(
      dir,
      `stages:\n  - branches:\n      a: [{run: [cat]}]\n      b: [{run: [cat]}]\n    combine: ${combine}\n`,
      'c.yaml',
    );
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const result = await shell(dir, script, numbered(1, 50_000), { TMPDIR: tmp });
    return { exitCode: result.exitCode, stderr: result.stderr, left: readdirSync(tmp) };
  }

  for (const combine of ['merge', 'concat']) {
    it(`combine: ${combine} into /dev/full`, async () => {
      expect(await branches(combine, 'exec "$MANIFOLD" run c.yaml > /dev/full')).toEqual({
        exitCode: 1,
        stderr: `manifold: stage stages[0].${combine} (${combine} of 2 branches) cannot write stdout: no space left on device\n`,
        left: [],
      });
    });
  }

  it('a concat whose spool cannot be written removes it', async () => {
    // A file size limit fails the spool (EFBIG) as a full disk would, where no disk can be filled.
    expect(await branches('concat', 'ulimit -f 64; exec "$MANIFOLD" run c.yaml')).toEqual({
      exitCode: 1,
      stderr:
        'manifold: stage stages[0].concat (concat of 2 branches) cannot spool a branch: file too large\n',
      left: [],
    });
  });
});

describe('bad configs are one line with their position, exit 2', () => {
  const cases: [string, string, (file: string) => string][] = [
    [
      'an output that is a folder',
      'output: out\nstages:\n  - run: [cat]\n',
      (file) => `${file}:1:9: output "out" is a directory\n`,
    ],
    [
      'use: constructor',
      'stages:\n  - use: constructor\n',
      (file) => `${file}:2:10: no pipeline named "constructor" under pipelines (known: none)\n`,
    ],
    [
      'an unset variable named constructor',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's variable.
      'stages:\n  - run: "echo ${constructor}"\n',
      (file) =>
        `${file}:2:16: \${constructor} is not set: set it in the environment, with --set constructor=..., or give a default as \${constructor:-value}\n`,
    ],
    [
      'a __proto__ key',
      'env:\n  __proto__: {x: 1}\nstages:\n  - run: [cat]\n',
      (file) => `${file}:2:3: "__proto__" is not allowed as a key\n`,
    ],
    [
      'an alias bomb',
      [
        'a: &a [x, x, x, x, x, x, x, x, x]',
        'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
        'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
        'stages:',
        '  - run: [cat]',
        '',
      ].join('\n'),
      (file) =>
        `${file}:2:8: Excessive alias count indicates a resource exhaustion attack (aliases expand to more than 100 nodes)\n`,
    ],
    [
      // It was "manifold: RangeError: Maximum call stack size exceeded", exit 1.
      'an alias within the node it names (a stage list in its own branch)',
      'stages: &s\n  - run: cat\n  - branches: {b: *s}\n',
      (file) =>
        `${file}:3:19: alias *s stands within the node it names (&s): a config cannot hold itself\n`,
    ],
    [
      // It was "manifold: RangeError: Maximum call stack size exceeded", exit 1.
      'maps nested 3000 deep',
      `x-a:\n${Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i + 1)}a:\n`).join('')}stages:\n  - run: [cat]\n`,
      (file) =>
        `${file}:1:1: maps and lists nest too deep to be read (a config may nest 100 deep)\n`,
    ],
    [
      'lists nested past 100 deep',
      `x-a: ${'['.repeat(100)}${']'.repeat(100)}\nstages:\n  - run: [cat]\n`,
      (file) =>
        `${file}:1:105: maps and lists nest more than 100 deep here: a config may nest 100 deep\n`,
    ],
    [
      'an alias within the node it names, in an x- key',
      'x-a: &a {b: [*a]}\nstages:\n  - run: [cat]\n',
      (file) =>
        `${file}:1:14: alias *a stands within the node it names (&a): a config cannot hold itself\n`,
    ],
  ];

  for (const [name, text, message] of cases) {
    it(`${name}: check and run`, async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'out'));
      writeConfig(dir, text, 'c.yaml');
      for (const command of ['check', 'run']) {
        // run refuses before it reads: its input never ends, so reading it would hang.
        const result = await shell(dir, `exec "$MANIFOLD" ${command} c.yaml < /dev/zero`);
        expect({ command, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
          command,
          exitCode: 2,
          stderr: message('c.yaml'),
        });
      }
      expect(leftovers(join(dir, 'out'))).toEqual([]);
      expect(leftovers(dir)).toEqual([]);
    });
  }
});
