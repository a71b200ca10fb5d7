import { describe, expect, it } from 'vitest';
import { bin, run } from '../helpers.js';

// A Promise, Map or Set in a record's value was written `{}` by JSON.stringify, its contents
// lost with exit 0: `mf-map '[Promise.resolve(r)]'` (an array of promises, as `.map(async ...)`
// gives) wrote `{}` for every record. Each is a record error now, saying where it is and what
// to write instead; an empty object, or an object with its own toJSON, is written as before.

const mfMap = bin('mf-map');

async function mapped(expression: string, input = 'x\n', args: string[] = []) {
  const result = await run(mfMap, [...args, expression], input);
  return { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout.toString() };
}

describe('a value JSON would write as {}', () => {
  it.each([
    ['[Promise.resolve(r)]', 'it is a Promise', 'await Promise.all'],
    ['({ a: new Map([[1, 2]]) })', '.a is a Map', 'Object.fromEntries'],
    ['new Set([r])', 'it is a Set', '[...set]'],
    ['[[1, { x: [Promise.resolve(2)] }]]', '[1].x[0] is a Promise', 'await'],
    ['({ "a b": new Set() })', '["a b"] is a Set', '[...set]'],
  ])('%s: a record error naming where it is', async (expression, where, hint) => {
    const result = await mapped(expression);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `mf-map: stdin:1: cannot write the result as JSON: ${where}, which JSON writes as {}: `,
    );
    expect(result.stderr).toContain(hint);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('in ndjson output too, named by its record', async () => {
    const result = await mapped(
      'n === 2 ? { ...r, p: Promise.resolve(1) } : r',
      '{"a":1}\n{"a":2}\n',
      ['--json'],
    );
    expect(result).toEqual({
      exitCode: 1,
      stdout: '{"a":1}\n',
      stderr:
        'mf-map: stdin:2: cannot write the result as JSON: .p is a Promise, which JSON writes as {}: await it (an array of them: await Promise.all(...))\n',
    });
  });

  it('an empty object, a promise awaited, and a toJSON of its own are written', async () => {
    expect(await mapped('[{}, { a: {} }]')).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '{}\n{"a":{}}\n',
    });
    expect(await mapped('Promise.resolve({ a: 1 })')).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '{"a":1}\n',
    });
    expect(await mapped('({ m: Object.assign(new Map(), { toJSON: () => ({}) }) })')).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '{"m":{}}\n',
    });
  });
});
