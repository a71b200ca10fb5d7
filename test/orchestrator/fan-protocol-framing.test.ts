import { describe, expect, it } from 'vitest';
import { bin, run } from '../helpers.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { builtTable } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// An SDK filter under `manifold fan --protocol manifold` (and in a thread) reads its blocks as
// it reads its stdin alone: manifold's --split names how blocks are cut, and the filter keeps a
// framing of its own that ends records at the same places (ndjson under a json: key).

const events = `${Array.from({ length: 400 }, (_, i) => `{"ev":${i},"user":"u${i % 3}","id":"u${i % 4}"}`).join('\n\n')}\n`;
const users = '{"id":"u1","name":"Ann"}\n{"id":"u2","name":"Bo"}\n';

/** Each filter's command line, and the fan's own options for it. */
const cases = (table: string): { name: string; argv: string[]; fan: string[] }[] => [
  { name: 'mf-reduce', argv: ['--key', 'json:user', 'count'], fan: ['-j', '1'] },
  { name: 'mf-reduce', argv: ['--key', 'field:1', 'sum', 'json:ev'], fan: ['-j', '1'] },
  { name: 'mf-join', argv: ['--table', table, '--key', 'json:user'], fan: ['-j', '2'] },
  { name: 'mf-join', argv: ['--table', table, '--as', 'who'], fan: ['-j', '2'] },
  { name: 'mf-map', argv: ['--json', 'r.ev * 2'], fan: ['-j', '2'] },
];

describe('an SDK filter under the protocol reads its framing as it does alone', () => {
  for (const kind of [['--protocol', 'manifold'], ['--threads']]) {
    it(`mf-reduce, mf-join, mf-map under ${kind.join(' ')}: the output of the filter alone (blank lines between ndjson records stopped them with 'invalid JSON')`, async () => {
      const table = await builtTable(tempDir(), 'users', users, ['--key', 'json:id']);
      for (const { name, argv, fan: options } of cases(table)) {
        const alone = await run(bin(name), argv, events);
        expect(ok(alone)).toEqual(OK);
        const fanned = await fan(
          [...options, ...kind, '--block', '2K', '--merge', 'ordered', '--', bin(name), ...argv],
          events,
        );
        expect({ name, argv, ...ok(fanned) }).toEqual({ name, argv, ...OK });
        expect(fanned.stdout.toString()).toBe(alone.stdout.toString());
      }
    });
  }

  it("a filter's --split that ends records elsewhere than the fan's blocks is a usage error naming both (was overridden by the fan's)", async () => {
    const result = await fan(
      ['--protocol', 'manifold', '--', bin('mf-map'), '--split', 'nul', 'r'],
      'a\0b\0',
    );
    expect(result.stderr).toMatch(
      /^mf-map: --split nul ends records elsewhere than manifold's blocks \(lines\): give manifold fan --split nul \(see 'mf-map --help'\)\n/,
    );
    expect(result.exitCode).toBe(1);
  });

  it("the fan's framing when the filter's default ends records elsewhere, and a --split of the filter's own that agrees", async () => {
    const nul = await fan(
      ['--threads', '--split', 'nul', '--', bin('mf-reduce'), '--key', 'json:user', 'count'],
      '{"user":"a"}\0{"user":"a"}\0',
    );
    expect(ok(nul)).toEqual(OK);
    expect(nul.stdout.toString()).toBe('a\t2\0');
    // Given --split ndjson, the fan's blocks are JSON records, for a filter whose framing is a
    // default: the blank line is skipped, not counted as the empty record.
    const ndjson = await fan(
      ['--split', 'ndjson', '--protocol', 'manifold', '--', bin('mf-reduce'), 'count'],
      '{"a":1}\n\n{"a":1}\n',
    );
    expect(ok(ndjson)).toEqual(OK);
    expect(ndjson.stdout.toString()).toBe('{"a":1}\t2\n');
    const lines = await fan(
      ['--protocol', 'manifold', '--', bin('mf-reduce'), '--split', 'lines', 'count'],
      'x\nx\n',
    );
    expect(ok(lines)).toEqual(OK);
    expect(lines.stdout.toString()).toBe('x\t2\n');
  });

  it('a filter that reads frames by default, under a fan of lines: a usage error naming both (mf-unframe passed lines through unchanged, exit 0)', async () => {
    for (const kind of [['--protocol', 'manifold'], ['--threads']]) {
      const result = await fan([...kind, '-j', '1', '--', bin('mf-unframe')], '1\n2\n');
      expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
        exitCode: 1,
        stdout: '',
      });
      expect(result.stderr).toMatch(
        /^mf-unframe: --split frames \(its default\) ends records elsewhere than manifold's blocks \(lines\): give manifold fan --split frames \(see 'mf-unframe --help'\)\n/,
      );
    }
    // Given --split frames (and --join lines, its output), it unframes as it does alone.
    const framed = (await run(bin('mf-frame'), [], 'a\nb\n')).stdout;
    for (const kind of [['--protocol', 'manifold'], ['--threads']]) {
      const args = [...kind, '--split', 'frames', '--join', 'lines', '--merge', 'ordered'];
      const result = await fan([...args, '--', bin('mf-unframe')], framed);
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.toString()).toBe('a\nb\n');
    }
  });

  it("a filter's --join that ends records elsewhere than the fan cuts its output is a usage error (the fan's --join overrode it, or its records were cut as lines)", async () => {
    for (const kind of [['--protocol', 'manifold'], ['--threads']]) {
      // The fan's --join given: it overrode the filter's own without a word.
      const overridden = await fan(
        [...kind, '--join', 'nul', '--', bin('mf-map'), '--join', 'lines', 'r'],
        'a\nb\n',
      );
      expect(overridden.stderr).toMatch(
        /^mf-map: --join lines ends records elsewhere than manifold cuts the output \(nul\): give manifold fan --join lines \(see 'mf-map --help'\)\n/,
      );
      expect(overridden.exitCode).toBe(1);
      // None given to the fan: it cut the NUL records as lines, one record with a newline added.
      const uncut = await fan(
        [...kind, '--merge', 'sorted', '--', bin('mf-map'), '--join', 'nul', 'r'],
        'b\na\n',
      );
      expect(uncut.stderr).toMatch(
        /^mf-map: --join nul ends records elsewhere than manifold cuts the output \(lines\): give manifold fan --join nul/,
      );
      expect(uncut.exitCode).toBe(1);
      expect(uncut.stdout.toString()).toBe('');
    }
  });

  it("a filter's declared output framing is kept or named, and one that agrees with the fan's --join is written", async () => {
    const framed = (await run(bin('mf-frame'), [], 'a\nb\n')).stdout;
    // mf-unframe writes lines: under a fan that cuts the output as frames it says so.
    const frames = await fan(
      ['--split', 'frames', '--protocol', 'manifold', '--', bin('mf-unframe')],
      framed,
    );
    expect(frames.stderr).toMatch(
      /^mf-unframe: --join lines \(its default\) ends records elsewhere than manifold cuts the output \(frames\): give manifold fan --join lines/,
    );
    expect(frames.exitCode).toBe(1);
    for (const kind of [['--protocol', 'manifold'], ['--threads']]) {
      const agreed = await fan(
        [...kind, '--join', 'nul', '--merge', 'ordered', '--', bin('mf-map'), '--join', 'nul', 'r'],
        'b\na\n',
      );
      expect(ok(agreed)).toEqual(OK);
      expect(agreed.stdout.toString()).toBe('b\0a\0');
      // No --join of the filter's own: it writes as the fan cuts.
      const theirs = await fan([...kind, '--join', 'nul', '--', bin('mf-map'), 'r'], 'a\n');
      expect(ok(theirs)).toEqual(OK);
      expect(theirs.stdout.toString()).toBe('a\0');
      const unframed = await fan(
        [...kind, '--split', 'frames', '--join', 'lines', '--', bin('mf-unframe')],
        framed,
      );
      expect(ok(unframed)).toEqual(OK);
      expect(unframed.stdout.toString()).toBe('a\nb\n');
    }
  });
});
