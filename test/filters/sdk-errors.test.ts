import { describe, expect, it } from 'vitest';
import { bin, fixture, run } from '../helpers.js';

// A bad record stops an SDK filter, but the records before it are written first, as jq does:
// the record loop transforms what was read before the error, then reports it.

const good = (count: number) =>
  Array.from({ length: count }, (_, i) => `{"n":${i + 1}}\n`).join('');

describe('records before a bad one', () => {
  it.each([
    ['mf-map --json', bin('mf-map'), ['--json', 'r']],
    ['mf-filter --json', bin('mf-filter'), ['--json', 'true']],
    ['a batch filter', fixture('reverse-batch.js'), ['--split', 'ndjson']],
  ])('%s writes the 5,000 good records before an invalid JSON line', async (_, file, args) => {
    const result = await run(file, args, `${good(5000)}bad\n${good(3)}`);
    const lines = result.stdout.toString().split('\n').slice(0, -1);
    expect(lines).toHaveLength(5000);
    expect(result.stderr).toMatch(/^[\w-]+: stdin:5001: invalid JSON: .*\n$/);
    expect(result.exitCode).toBe(1);
  });

  it('writes the records before one too long for --max-record', async () => {
    const result = await run(
      bin('mf-filter'),
      ['--max-record', '8', 'true'],
      'a\nb\nccccccccccccc\nd\n',
    );
    expect(result.stdout.toString()).toBe('a\nb\n');
    expect(result.stderr).toMatch(/^mf-filter: stdin:3: .*\n$/);
    expect(result.exitCode).toBe(1);
  });
});

describe('errors of several lines', () => {
  it('are written as one line, also when thrown outside a record (in flush)', async () => {
    const result = await run(fixture('flush-throws.js'), [], 'a\n');
    expect(result.stdout.toString()).toBe('a\n');
    expect(result.stderr).toBe(
      'flush-throws: Error: the end went wrong: first reason second reason\n',
    );
    expect(result.exitCode).toBe(1);
  });
});

describe('a value thrown that is no Error', () => {
  it.each([
    ['string', 'no good'],
    ['null', 'threw null'],
    ['undefined', 'threw undefined'],
    ['number', 'threw 42'],
    ['object', "threw { code: 'E1', detail: { at: 2 } }"],
    ['message', 'a plain object'],
    ['empty', 'Error'],
  ])('%s says what it was, in one line', async (kind, said) => {
    const result = await run(fixture('throw-value.js'), [], 'a\nb\n', { env: { THROW: kind } });
    expect(result.stdout.toString()).toBe('a\n');
    expect(result.stderr).toBe(`throw-value: stdin:2: ${said}\n`);
    expect(result.exitCode).toBe(1);
  });
});

describe('a filter declared without a name', () => {
  it('is named by its file in its messages (they began "undefined:")', async () => {
    const result = await run(fixture('unnamed.js'), [], 'a\nb\n');
    expect(result.stdout.toString()).toBe('a\n');
    expect(result.stderr).toBe('unnamed.js: stdin:2: Error: no good\n');
    expect(result.exitCode).toBe(1);
  });
});
