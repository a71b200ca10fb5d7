import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyOf, keyOfValue, parseKeySpec, parseSize, UsageError } from '../../filters/index.js';
import { type Bounds, fieldBounds } from '../../filters/keys.js';

const key = (spec: string, record: string, sep?: string) =>
  keyOf(parseKeySpec(spec, sep), Buffer.from(record)).toString();

describe('key specs', () => {
  it('splits fields on runs of blanks, like awk', () => {
    expect(key('field:1', '  alpha \t beta  ')).toBe('alpha');
    expect(key('field:2', '  alpha \t beta  ')).toBe('beta');
    expect(key('field:3', 'alpha beta')).toBe('');
  });

  it('splits on each separator character, empty fields included', () => {
    expect(key('field:2', 'a,,c', ',')).toBe('');
    expect(key('field:3', 'a,,c', ',')).toBe('c');
    expect(key('field:2', 'a\tb c', '\\t')).toBe('b c');
    expect(key('field:2', 'a→b→c', '→')).toBe('b');
  });

  it('takes the whole record by default', () => {
    expect(key('whole', ' x y ')).toBe(' x y ');
  });

  it('reads dot paths in JSON', () => {
    expect(key('json:a.b', '{"a":{"b":"k"}}')).toBe('k');
    expect(key('json:a.1', '{"a":[1,{"x":2}]}')).toBe('{"x":2}');
    expect(keyOfValue(parseKeySpec('json:missing.x'), { a: 1 })).toBe('');
  });

  it("finds only the data's own keys, not JavaScript's (constructor, __proto__...: missing)", () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])
      expect(key(`json:${name}`, '{"x":1}'), name).toBe('');
    expect(key('json:a.length', '{"a":[1,2]}')).toBe('');
    expect(key('json:constructor', '{"constructor":"c"}')).toBe('c');
  });

  it('rejects bad specs as usage errors', () => {
    expect(() => parseKeySpec('field:0')).toThrow(UsageError);
    expect(() => parseKeySpec('json:a..b')).toThrow(/names between the dots/);
    expect(() => parseKeySpec('nope')).toThrow(/not one of/);
  });
});

describe('fieldBounds with a separator', () => {
  // Fields long and short (a one-byte separator is looked for in JavaScript over the first 32
  // bytes, then by indexOf), and a record inside a larger buffer whose bytes after its end hold
  // the separator: a field must end at the record's end, not at a separator past it.
  const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', ':', '::', 'é'), maxLength: 80 });
  it('finds the field that splitting the record finds', () => {
    fc.assert(
      fc.property(
        fc.array(field, { minLength: 1, maxLength: 6 }),
        fc.constantFrom(',', '::', 'é'),
        fc.integer({ min: 1, max: 8 }),
        fc.string({ unit: fc.constantFrom('x', ',', '::', 'é'), maxLength: 4 }),
        fc.string({ unit: fc.constantFrom('x', ',', '::', 'é'), maxLength: 40 }),
        (parts, separator, index, before, after) => {
          const record = parts.join('');
          const data = Buffer.from(before + record + after);
          const from = Buffer.byteLength(before);
          const to = from + Buffer.byteLength(record);
          const bounds: Bounds = { start: -1, end: -1 };
          fieldBounds(data, from, to, index, Buffer.from(separator), bounds);
          const fields = record.split(separator);
          const expected = index <= fields.length ? fields[index - 1]! : '';
          expect(data.subarray(bounds.start, bounds.end).toString()).toBe(expected);
          expect(bounds.start).toBeGreaterThanOrEqual(from);
          expect(bounds.end).toBeLessThanOrEqual(to);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('sizes', () => {
  it('reads binary units', () => {
    expect(parseSize('64K')).toBe(65536);
    expect(parseSize('1M')).toBe(1048576);
    expect(parseSize('1.5KiB')).toBe(1536);
    expect(parseSize('12')).toBe(12);
    expect(() => parseSize('0')).toThrow(/at least 1 byte/);
    expect(() => parseSize('10X')).toThrow(/not a size/);
  });

  it('refuses a fraction of a byte (fixed:1.5 cut 1-byte records before); rounds a fraction of a unit down', () => {
    expect(() => parseSize('1.5')).toThrow(/1.5 is not a whole number of bytes/);
    expect(() => parseSize('2.5B')).toThrow(/not a whole number of bytes/);
    expect(parseSize('1.1K')).toBe(1126);
  });

  // GNU parallel's multiply_binary_prefix: `k` is 1000 and `K` 1024, not both 1024.
  it('reads lower-case units as powers of 1000, and an i as binary whatever the case (as parallel)', () => {
    expect(parseSize('1k')).toBe(1000);
    expect(parseSize('3m')).toBe(3_000_000);
    expect(parseSize('2g')).toBe(2_000_000_000);
    expect(parseSize('1t')).toBe(1e12);
    expect(parseSize('1.5kB')).toBe(1500);
    expect(parseSize('1ki')).toBe(1024);
    expect(parseSize('1mi')).toBe(1024 ** 2);
    expect(parseSize('2GiB')).toBe(2 * 1024 ** 3);
    expect(parseSize('1MB')).toBe(1024 ** 2);
    expect(parseSize('1T')).toBe(1024 ** 4);
    expect(() => parseSize('1p')).toThrow(/1p is too large/);
    expect(() => parseSize('1P')).toThrow(/1P is too large/);
    expect(() => parseSize('1kk')).toThrow(/not a size/);
    expect(() => parseSize('1i')).toThrow(/not a size/);
  });
});
