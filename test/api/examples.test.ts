import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

/**
 * Each example of docs/api.md is a file in examples/api, run here as a real node process from
 * the package folder, where `import ... from 'manifold-pipes'` is the built package (its own
 * `exports`, by self-reference), and the page shows each file as it is.
 */
const expected: Record<string, string> = {
  'fan-upper.mjs': 'APPLE\nBANANA\nCHERRY\n3 records in, 3 out\n',
  'fan-stream.mjs': 'alpha beta gamma\n',
  'fan-first.mjs': 'found: needle 123456\n',
  'fan-errors.mjs': [
    'manifold.failure 1',
    'worker 1 (pid N: echo "cannot parse line 1" >&2; exit 3) exited with status 3; it had been given block 1 (records 1-1)',
    'worker 1: cannot parse line 1',
    'manifold.usage block big is not a size (examples: 4096, 64K, 1M, 2G)',
    '',
  ].join('\n'),
  'fan-abort.mjs': 'AbortError manifold.aborted\n',
  'run-config.mjs': '      3 a\n      2 b\n      1 c\nwords: 0, count: 0\n',
};

const folder = join(root, 'examples/api');
const page = readFileSync(join(root, 'docs/api.md'), 'utf8');

describe.concurrent('docs/api.md examples', () => {
  it('every example file has its expected output here', () => {
    expect(readdirSync(folder).sort()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, stdout] of Object.entries(expected)) {
    it(`${name} prints what the page says, and nothing on stderr`, async () => {
      const result = await execa(process.execPath, [join('examples/api', name)], {
        cwd: root,
        reject: false,
        stdin: 'ignore',
        stripFinalNewline: false,
      });
      expect({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }).toEqual({
        exitCode: 0,
        stdout,
        stderr: '',
      });
    });

    it(`${name} is shown in docs/api.md as it is`, () => {
      expect(page).toContain(readFileSync(join(folder, name), 'utf8'));
    });
  }
});
