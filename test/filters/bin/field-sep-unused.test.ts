import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../../helpers.js';
import { tempDir } from '../../support/temp.js';

// --field-sep splits the fields of a field:N key (or, for mf-reduce, of a field:N value). Given
// where nothing is split by it, it was ignored, unsaid (`mf-reduce --field-sep , count` counted
// whole lines; `--field-sep ab`, not one character, passed too): a usage error now, one line,
// exit 2, as `manifold fan --field-sep , -- cat` is.

const help = (name: string) => ` (see '${name} --help')\n`;

describe('--field-sep where no field:N is split by it', () => {
  it.each([
    [
      ['--field-sep', ',', 'count'],
      `mf-reduce: --field-sep , splits the fields of a field:N --key or field: it needs one (--key is whole, no field)`,
    ],
    [
      ['--field-sep', 'ab', 'count'],
      `mf-reduce: --field-sep ab splits the fields of a field:N --key or field: it needs one (--key is whole, no field)`,
    ],
    [
      ['--field-sep', ',', '--key', 'json:user', 'max', 'json:ms'],
      `mf-reduce: --field-sep , splits the fields of a field:N --key or field: it needs one (--key is json:user, the field json:ms)`,
    ],
  ])('mf-reduce %j: a usage error', async (args, line) => {
    const result = await run(bin('mf-reduce'), args, 'a,1\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr, out: result.stdout.length }).toEqual(
      { exitCode: 2, stderr: `${line}${help('mf-reduce')}`, out: 0 },
    );
  });

  it.each([
    [['--key', 'field:1', 'count'], 'a\t1\n'],
    [['sum', 'field:2'], 'a,1\t1\n'],
    [['--key', 'whole', 'sum', '2'], 'a,1\t1\n'],
  ])('mf-reduce %j: splits a field:N key or value as before', async (args, out) => {
    const result = await run(bin('mf-reduce'), ['--field-sep', ',', ...args], 'a,1\n');
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      out: result.stdout.toString(),
    }).toEqual({ exitCode: 0, stderr: '', out });
  });

  it('mf-join with a whole --key: a usage error; with field:N it splits', async () => {
    const dir = tempDir('mf-field-sep-');
    const table = join(dir, 'users.mft');
    execFileSync(manifold, ['table', 'build', '-', '--key', 'field:1', '-o', table], {
      input: 'alice\t1\n',
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const bad = await run(
      bin('mf-join'),
      ['--table', table, '--key', 'whole', '--field-sep', ','],
      'alice\n',
    );
    expect({ exitCode: bad.exitCode, stderr: bad.stderr }).toEqual({
      exitCode: 2,
      stderr: `mf-join: --field-sep , splits the fields of a field:N --key: it needs one (--key is whole)${help('mf-join')}`,
    });
    const good = await run(
      bin('mf-join'),
      ['--table', table, '--key', 'field:2', '--field-sep', ','],
      'x,alice\n',
    );
    expect({ exitCode: good.exitCode, stderr: good.stderr, out: good.stdout.toString() }).toEqual({
      exitCode: 0,
      stderr: '',
      out: 'x,alice\talice\t1\n',
    });
  });
});
