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
});
