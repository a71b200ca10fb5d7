import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeySpec } from '../../../filters/keys.js';
import { bin, manifold, run } from '../../helpers.js';
import { tempDir } from '../../support/temp.js';

// A field separator (--field-sep) and mf-join's --sep take the escapes of delim: by the same
// parser (framing/spec.ts delimiterBytes): they kept `\q` as written, and took `\x2c` for four
// characters, where `--split 'delim:\q'` was refused. Refused the same way now, in one line.

const help = (name: string) => ` (see '${name} --help')\n`;
const NO_ESCAPE =
  "'\\q' is no escape (escapes: \\n \\t \\r \\0 \\\\ \\| \\xHH; a backslash itself is \\\\)";

describe('a field separator and --sep: the escapes of delim:', () => {
  it('a field separator: one character, tab, or an escape; any other backslash refused', () => {
    const separator = (text: string) => {
      const spec = parseKeySpec('field:1', text);
      return spec.kind === 'field' ? spec.separator?.toString('hex') : spec.kind;
    };
    expect(['\\x2c', '\\t', 'tab', '\\|', 'é', '\\xe9'].map(separator)).toEqual([
      '2c',
      '09',
      '09',
      '7c',
      'c3a9',
      'e9',
    ]);
    expect(() => separator('\\q')).toThrow(`--field-sep '\\q': ${NO_ESCAPE}`);
    expect(() => separator('a\\n')).toThrow(/^--field-sep 'a\\n' must be one character/);
  });

  it('mf-reduce --field-sep and mf-join --sep: refused in one line (exit 2), or the byte an escape stands for', async () => {
    const table = join(tempDir('mf-sep-'), 'users.mft');
    await run(manifold, ['table', 'build', '-', '--key', 'field:1', '-o', table], 'a\tA\n');
    const [reduceBad, joinBad, reduced, joined] = await Promise.all([
      run(bin('mf-reduce'), ['--key', 'field:1', '--field-sep', '\\q', 'count'], 'a\n'),
      run(bin('mf-join'), ['--table', table, '--sep', 'x\\q'], 'a\n'),
      run(bin('mf-reduce'), ['--key', 'field:2', '--field-sep', '\\x2c', 'count'], 'a,k\nb,k\n'),
      run(bin('mf-join'), ['--table', table, '--sep', '\\x2c'], 'a\n'),
    ]);
    expect([reduceBad, joinBad].map((result) => [result.exitCode, result.stderr])).toEqual([
      [2, `mf-reduce: --field-sep '\\q': ${NO_ESCAPE}${help('mf-reduce')}`],
      [2, `mf-join: --sep 'x\\q': ${NO_ESCAPE}${help('mf-join')}`],
    ]);
    expect([reduced.stdout.toString(), joined.stdout.toString()]).toEqual(['k\t2\n', 'a,a\tA\n']);
  });
});
