import { describe, expect, it } from 'vitest';
import { bin, fixture, manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';

// Limits an SDK filter enforces: the records before one over --max-record are written in the
// text path too, sizes past the largest accepted are named as such, and a short fixed-size
// record that is not the last is reported at the record that follows it.

const lines = (count: number, word: string) => numbered(1, count, word);

describe('records before one over --max-record, as text', () => {
  const input = `${lines(5000, 'line')}${'x'.repeat(4096)}\n${lines(10, 'more')}`;

  it('mf-map writes the 5,000 records of the same read before the long one', async () => {
    const result = await run(bin('mf-map'), ['r.toUpperCase()', '--max-record', '1K'], input);
    expect(result.stdout.toString()).toBe(lines(5000, 'LINE'));
    expect(result.stderr).toBe(
      'mf-map: stdin:5001: record is larger than the maximum record size 1 KiB (4 KiB so far); raise it with --max-record\n',
    );
    expect(result.exitCode).toBe(1);
  });

  it('mf-filter --json writes the 5,000 records of the same read before the long one', async () => {
    const json = (count: number) =>
      Array.from({ length: count }, (_, i) => `{"n":${i + 1}}\n`).join('');
    const long = `{"x":"${'x'.repeat(4096)}"}\n`;
    const result = await run(
      bin('mf-filter'),
      ['--json', 'true', '--max-record', '1K'],
      `${json(5000)}${long}${json(10)}`,
    );
    expect(result.stdout.toString()).toBe(json(5000));
    expect(result.stderr).toMatch(/^mf-filter: stdin:5001: record is larger than .*\n$/);
    expect(result.exitCode).toBe(1);
  });
});

describe('a size past the largest accepted', () => {
  it('manifold fan --block names the option and the maximum', async () => {
    const result = await run(manifold, ['fan', '--block', '99999999999T', '--', 'cat']);
    expect(result.stderr).toBe(
      "manifold: --block 99999999999T is too large (at most 1 TiB) (see 'manifold fan --help')\n",
    );
    expect(result.exitCode).toBe(2);
  });

  it("a filter's --max-record names the option and the maximum", async () => {
    const result = await run(bin('mf-map'), ['--max-record', '99999999999T', 'r']);
    expect(result.stderr).toMatch(/^mf-map: .*--max-record.* is too large \(at most 1 TiB\).*\n$/);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.exitCode).toBe(2);
  });
});

describe('records of a fixed size past --max-record', () => {
  // Every record but a last short one would be refused: a usage error up front. The filter said
  // "stdin:1: record is larger than the maximum record size 64 MiB (100 MiB so far)" of 8 bytes.
  it('a filter: exit 2 naming both options; raised, the record passes', async () => {
    const refused = await run(bin('mf-map'), ['--split', 'fixed:100M', 'r'], 'abcdefgh');
    expect(refused).toMatchObject({
      exitCode: 2,
      stderr:
        "mf-map: --split fixed:100M: its records are larger than --max-record (64 MiB); raise --max-record (see 'mf-map --help')\n",
    });
    const raised = await run(
      bin('mf-map'),
      ['--split', 'fixed:100M', '--max-record', '1G', 'r'],
      'abcdefgh',
    );
    expect(raised.stdout.toString()).toBe('abcdefgh');
  });

  it('manifold fan, --split and --join', async () => {
    for (const option of ['--split', '--join']) {
      const result = await run(manifold, ['fan', option, 'fixed:100M', '--', 'cat'], 'abcdefgh');
      expect(result.stderr).toBe(
        `manifold: ${option} fixed:100M: its records are larger than --max-record (64 MiB); raise --max-record (see 'manifold fan --help')\n`,
      );
      expect(result.exitCode).toBe(2);
    }
  });
});

describe('a short fixed-size record that is not the last', () => {
  it('a string result is reported at the record written after it', async () => {
    const result = await run(
      bin('mf-map'),
      ['--split', 'fixed:4', 'r.startsWith("a") ? "xy" : r'],
      'abcdefghijkl',
    );
    expect(result.stderr).toMatch(/^mf-map: stdin:2: .*a record follows one of 2 bytes.*\n$/);
    expect(result.exitCode).toBe(1);
  });

  it('a run of unchanged records is reported at its first record', async () => {
    const result = await run(fixture('short-second.js'), ['--split', 'fixed:4'], 'abcdefghijkl');
    expect(result.stderr).toMatch(/^short-second: stdin:3: .*a record follows one of 2 bytes.*\n$/);
    expect(result.exitCode).toBe(1);
  });
});
