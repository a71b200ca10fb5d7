import { describe, expect, it } from 'vitest';
import { bin, output, run } from '../../helpers.js';

const mfFilter = bin('mf-filter');

describe('mf-filter', () => {
  // A promise is truthy: every record was kept; a rejected one kept its record and failed
  // without its number (QA). mf-map awaits its value, and so mf-filter.
  it('awaits a promise, its value deciding; a rejected one stops at the record, exit 1', async () => {
    const kept = await run(bin('mf-filter'), ['Promise.resolve(n % 2 === 0)'], '1\n2\n3\n4\n');
    expect([kept.exitCode, kept.stdout.toString(), kept.stderr]).toEqual([0, '2\n4\n', '']);
    const later = await run(
      bin('mf-filter'),
      ['new Promise((ok) => setTimeout(() => ok(r > "2"), 1))'],
      '1\n2\n3\n',
    );
    expect(later.stdout.toString()).toBe('3\n');
    const bad = 'n === 3 ? Promise.reject(new Error("bad")) : Promise.resolve(true)';
    const rejected = await run(bin('mf-filter'), [bad], '1\n2\n3\n4\n');
    expect([rejected.exitCode, rejected.stdout.toString(), rejected.stderr]).toEqual([
      1,
      '1\n2\n',
      'mf-filter: stdin:3: Error: bad\n',
    ]);
  });

  it('keeps the records for which the expression is truthy', async () => {
    expect((await output(mfFilter, ['r.includes("b")'], 'abc\nxyz\nbb\n')).toString()).toBe(
      'abc\nbb\n',
    );
  });

  it('writes kept records byte for byte, invalid UTF-8 included', async () => {
    const input = Buffer.from('keep \u00ff\r\ndrop\nkeep\u00c3', 'latin1');
    const result = await output(mfFilter, ['r.startsWith("keep")'], input);
    expect(result.toString('latin1')).toBe('keep \u00ff\r\nkeep\u00c3\n');
  });

  it('sees the record number as n', async () => {
    expect((await output(mfFilter, ['n % 2 === 0'], '1\n2\n3\n4\n')).toString()).toBe('2\n4\n');
  });

  it('tests ndjson values with --json and keeps their original text', async () => {
    const input = '{"s": 500}\n{"s":200}\n{ "s" : 503 }\n';
    expect((await output(mfFilter, ['--json', 'r.s >= 500'], input)).toString()).toBe(
      '{"s": 500}\n{ "s" : 503 }\n',
    );
  });

  it('names the line of bad JSON', async () => {
    const result = await run(mfFilter, ['--json', 'true'], '{}\nnot json\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^mf-filter: stdin:2: invalid JSON/);
  });

  it('rejects an expression that does not compile', async () => {
    const result = await run(mfFilter, ['r =>> 1'], '');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^mf-filter: the expression 'r =>> 1' is not valid JavaScript: /);
  });
});
