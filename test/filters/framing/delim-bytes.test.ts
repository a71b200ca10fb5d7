import { describe, expect, it } from 'vitest';
import { quoteName } from '../../../filters/errors.js';
import { parseFraming } from '../../../filters/framing/spec.js';
import { bin, manifold, run } from '../../helpers.js';

// `delim:\xHH` is any one byte: a delimiter that is no UTF-8 alone (Latin-1's é, 0xE9) cannot
// be given as itself, since a word that is not UTF-8 is refused (sdk/raw-arguments.ts); kept as
// written, `delim:\xe9` would split at the four characters `\xe9`. A `\|` is `|`
// in every one of these strings (between: needs it; delim: and start: take it alike).

const delimiter = (spec: string) => {
  const framing = parseFraming(spec);
  if (framing.kind === 'started')
    return `${framing.end.toString('hex')} ${framing.start.toString('hex')}`;
  return framing.kind === 'delimited' ? framing.delimiter.toString('hex') : framing.kind;
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('delim:\\xHH', () => {
  it.each([
    ['delim:\\xe9', 'e9'],
    ['delim:\\xFF\\xfe', 'fffe'],
    ['delim:a\\x00b\\n', '6100620a'],
    ['delim:é\\xe9', 'c3a9e9'],
    // An escaped backslash is one: the characters \xe9 as written.
    ['delim:\\\\xe9', '5c786539'],
    ['delim:a\\|b', '617c62'],
    ['between:\\||\\x3e', '7c 3e'],
  ])('%s is the bytes %s', (spec, hex) => {
    expect(delimiter(spec)).toBe(hex);
  });

  // A backslash that is no escape is refused, not kept as written: `delim:\x1` would cut at the
  // three characters `\x1`, where the user meant the byte 1.
  it.each([
    ['delim:\\x1', "'\\x1': \\xHH takes two hex digits (\\x01 is the byte 1)"],
    ['delim:a\\x5g', "'\\x5g': \\xHH takes two hex digits (\\x01 is the byte 1)"],
    ['delim:\\xzz', "'\\xzz': \\xHH takes two hex digits (\\x01 is the byte 1)"],
    [
      'start:\\q',
      "'\\q' is no escape (escapes: \\n \\t \\r \\0 \\\\ \\| \\xHH; a backslash itself is \\\\)",
    ],
    ['between:\\n|>\\', 'a \\ at the end is no escape'],
  ])('%s is refused in one line', (spec, reason) => {
    expect(() => parseFraming(spec, '--split')).toThrow(
      new RegExp(`^--split ${escapeRegExp(quoteName(spec))}: ${escapeRegExp(reason)}`),
    );
  });

  it('manifold fan --split and an mf-* filter refuse it in one line, exit 2', async () => {
    const [fan, filter] = await Promise.all([
      run(manifold, ['fan', '--split', 'delim:\\x1', '--', 'cat'], 'a\n'),
      run(bin('mf-map'), ['--split', 'delim:\\x1', 'r'], 'a\n'),
    ]);
    expect([fan.exitCode, fan.stderr, fan.stdout.length]).toEqual([
      2,
      "manifold: --split 'delim:\\x1': '\\x1': \\xHH takes two hex digits (\\x01 is the byte 1) (see 'manifold fan --help')\n",
      0,
    ]);
    // Said as the fan says it: the option and its value, not `--split: framing 'delim:\x1'`.
    expect([filter.exitCode, filter.stderr]).toEqual([
      2,
      "mf-map: --split 'delim:\\x1': '\\x1': \\xHH takes two hex digits (\\x01 is the byte 1) (see 'mf-map --help')\n",
    ]);
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

// --recstart and --recend are said as typed, not as the --split they make (`--split
// 'delim:x\x1'`, which the command line does not have).
describe('--recstart and --recend: refused naming the option typed', () => {
  it('an escape, and strings that overlap: one line each, exit 2', async () => {
    const said = await Promise.all([
      run(manifold, ['fan', '--recend', 'x\\x1', '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '--recend', '\\n', '--recstart', 'x\\q', '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '--recend', 'ab', '--recstart', 'ab', '--', 'cat'], 'a\n'),
    ]);
    const help = " (see 'manifold fan --help')\n";
    expect(said.map((result) => [result.exitCode, result.stderr])).toEqual([
      [
        2,
        `manifold: --recend 'x\\x1': '\\x1': \\xHH takes two hex digits (\\x01 is the byte 1)${help}`,
      ],
      [
        2,
        `manifold: --recstart 'x\\q': '\\q' is no escape (escapes: \\n \\t \\r \\0 \\\\ \\| \\xHH; a backslash itself is \\\\)${help}`,
      ],
      [
        2,
        `manifold: --recend ab --recstart ab: the end string and the start string can be found again inside the start string, so a block would not be cut in records as the whole input is; give strings that do not overlap${help}`,
      ],
    ]);
  });
});

// A field separator is read as a delimiter's escapes are: each --help says so.
describe("the separators' --help names the escapes", () => {
  it.for([
    ['manifold fan --field-sep', manifold, ['fan'], '--field-sep'],
    ['manifold table build --field-sep', manifold, ['table', 'build'], '--field-sep'],
    ['mf-reduce --field-sep', bin('mf-reduce'), [], '--field-sep'],
    ['mf-join --field-sep', bin('mf-join'), [], '--field-sep'],
    ['mf-join --sep', bin('mf-join'), [], '--sep'],
  ] as [string, string, string[], string][])('%s', async ([, command, args, option]) => {
    const result = await run(command, [...args, '--help']);
    // The option's line and those that go on with its text, to the next option.
    const lines = result.stdout.toString().split('\n');
    const first = lines.findIndex((line) => line.trimStart().startsWith(`${option} `));
    const rest = lines.slice(first + 1).findIndex((line) => /^\s*-/.test(line));
    const text = lines.slice(first, first + 1 + rest).join(' ');
    expect(first).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/tab.*\\t.*\\xHH/);
  });
});
