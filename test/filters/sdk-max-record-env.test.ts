import { describe, expect, it } from 'vitest';
import { bin, run } from '../helpers.js';

// MANIFOLD_MAX_RECORD (a fan's --max-record, the default of its SDK workers' own) set to no
// size was silently read as unset: the filter went on with 64M. It is a usage error naming the
// variable now, as a bad --max-record is, and read only where --max-record is not given.

const mfMap = bin('mf-map');
const record = `${'a'.repeat(2000)}\n`;

async function mapped(value: string, args: string[] = []) {
  const result = await run(mfMap, [...args, 'r.length'], record, {
    env: { MANIFOLD_MAX_RECORD: value },
  });
  return { exitCode: result.exitCode, stderr: result.stderr, stdout: result.stdout.toString() };
}

describe('MANIFOLD_MAX_RECORD', () => {
  it.each([
    ['bogus', 'MANIFOLD_MAX_RECORD bogus is not a size'],
    ['0', 'MANIFOLD_MAX_RECORD 0 must be at least 1 byte'],
    ['-5', 'MANIFOLD_MAX_RECORD -5 is not a size'],
  ])('%s is a usage error naming the variable', async (value, words) => {
    const result = await mapped(value);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toContain(words);
  });

  it('a size is the default: a 2000-byte record over 1K fails', async () => {
    const result = await mapped('1K');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('--max-record');
  });

  it('is not read where --max-record is given', async () => {
    expect(await mapped('bogus', ['--max-record', '4K'])).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '2000\n',
    });
  });
});
