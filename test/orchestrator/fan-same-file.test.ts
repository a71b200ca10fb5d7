import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { records } from '../support/lines.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A file read and written at once. `manifold fan -- cat < f >> f` appended a copy of f to f, exit
// 0, where cat refuses (`cat: -: input file is output file`), and `--stats f` with f the output
// replaced the output with the summary (QA). Both are refused before anything runs.

/** Runs `script` in sh in a folder holding `f` (records 1-100), manifold as $0; f after. */
async function inFolder(script: string) {
  const dir = tempDir('manifold-same-file-');
  const f = join(dir, 'f');
  writeFileSync(f, records(1, 100));
  writeConfig(dir, { stages: [{ run: 'cat' }] }, 'c.yaml');
  const result = await execa('sh', ['-c', script, manifold], { cwd: dir, reject: false });
  return { exitCode: result.exitCode, stderr: result.stderr, f: readFileSync(f, 'utf8') };
}

describe('an input that is the output file', () => {
  it.each([
    ['stdin', '"$0" fan -j 2 -- cat < f >> f', 'stdin'],
    ['per-block workers', '"$0" fan -j 2 --per-block -- cat < f >> f', 'stdin'],
    ['--input', '"$0" fan --input f -- cat >> f', '--input f'],
    ['a read-write stdout', '"$0" fan -- cat < f 1<> f', 'stdin'],
    ['run', '"$0" run c.yaml < f >> f', 'stdin'],
  ])(
    'is refused, as cat refuses it (%s): one line, exit 2, the file kept',
    async (_, script, name) => {
      expect(await inFolder(script)).toEqual({
        exitCode: 2,
        stderr: `manifold: ${name}: input file is output file`,
        f: records(1, 100),
      });
    },
  );

  it.each([
    ['emptied by the shell first', '"$0" fan -- cat < f > f', ''],
    ['read to its end already', '{ cat > /dev/null; "$0" fan -- cat; } < f >> f', records(1, 100)],
    ['through a pipe', 'cat f | "$0" fan -- cat >> f', records(1, 100) + records(1, 100)],
  ])(
    'is read as cat reads it when nothing of it is left to read again (%s)',
    async (_, script, f) => {
      expect(await inFolder(script)).toEqual({ exitCode: 0, stderr: '', f });
    },
  );
});

describe('a report written over the output or an input', () => {
  it.each([
    [
      '--stats over stdout',
      '"$0" fan --stats out -- cat < f > out',
      '--stats out is the output file too: the report would replace the output',
    ],
    [
      '--stats over stdin',
      '"$0" fan --stats f -- cat < f > out',
      '--stats f is the input file too (stdin): the report would replace it',
    ],
    [
      '--joblog over --input',
      '"$0" fan --joblog f --input f -- cat > out',
      '--joblog f is the input file too (--input f): the report would replace it',
    ],
    // One file for both: the summary replaced the job log, exit 0.
    [
      '--stats over the --joblog',
      '"$0" fan --stats ./r --joblog r -- cat < f > out',
      '--stats ./r is the --joblog file too: the summary would replace the job log',
    ],
    [
      'run --stats over stdout',
      '"$0" run c.yaml --stats out < f > out',
      '--stats out is the output file too: the report would replace the output',
    ],
  ])('is refused (%s): one line, exit 2, the input kept', async (_, script, line) => {
    expect(await inFolder(`: > out; ${script}`)).toEqual({
      exitCode: 2,
      stderr: `manifold: ${line}`,
      f: records(1, 100),
    });
  });

  it("run --stats over the config's output file is refused", async () => {
    const dir = tempDir('manifold-same-file-run-');
    const out = join(dir, 'out');
    writeFileSync(out, 'kept\n');
    const config = writeConfig(dir, { output: out, stages: [{ run: 'cat' }] });
    const result = await execa(manifold, ['run', config, '--stats', out], {
      input: 'a\n',
      reject: false,
    });
    expect([result.exitCode, result.stderr, readFileSync(out, 'utf8')]).toEqual([
      2,
      `manifold: --stats ${out} is the output file too: the report would replace the output`,
      'kept\n',
    ]);
  });
});
