import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../../filters/framing/spec.js';
import { bin, manifold, run } from '../../helpers.js';

// `delim:\xHH` is any one byte: a delimiter that is no UTF-8 alone (Latin-1's é, 0xE9) cannot
// be given as itself, since a word that is not UTF-8 is refused (sdk/raw-arguments.ts). Before,
// `\x` was kept as written: `delim:\xe9` split at the four characters `\xe9`.

const delimiter = (spec: string) => {
  const framing = parseFraming(spec);
  return framing.kind === 'delimited' ? framing.delimiter.toString('hex') : framing.kind;
};

describe('delim:\\xHH', () => {
  it.each([
    ['delim:\\xe9', 'e9'],
    ['delim:\\xFF\\xfe', 'fffe'],
    ['delim:a\\x00b\\n', '6100620a'],
    ['delim:é\\xe9', 'c3a9e9'],
    // Kept as written, as before: an escaped backslash, a short or non-hex \x.
    ['delim:\\\\xe9', '5c786539'],
    ['delim:\\x5', '5c7835'],
    ['delim:\\xzz', '5c787a7a'],
  ])('%s is the bytes %s', (spec, hex) => {
    expect(delimiter(spec)).toBe(hex);
  });

  const input = Buffer.from('61e962e963', 'hex'); // a é b é c, in Latin-1

  it("reaches manifold fan's blocks: each record, its 0xE9 byte ending it", async () => {
    const args = ['fan', '-j', '1', '-N', '1', '--per-block', '--merge', 'ordered'];
    const result = await run(
      manifold,
      [...args, '--split', 'delim:\\xe9', '--join', 'lines', '--', 'od', '-An', '-tx1'],
      input,
    );
    expect(result.stderr).toBe('');
    expect(
      result.stdout
        .toString()
        .split('\n')
        .map((line) => line.trim()),
    ).toEqual(['61 e9', '62 e9', '63', '']);
    expect(result.exitCode).toBe(0);
  });

  it('reaches a filter: mf-map splits at the byte', async () => {
    const result = await run(
      bin('mf-map'),
      ['--split', 'delim:\\xe9', '--join', 'lines', 'r.length'],
      input,
    );
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([
      0,
      '',
      '1\n1\n1\n',
    ]);
  });
});
