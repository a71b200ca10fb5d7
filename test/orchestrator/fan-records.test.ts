import { describe, it } from 'vitest';
import { bin } from '../helpers.js';
import { randoms, variedLines } from '../support/data.js';
import { byteDiff, differences, SAME, sameBytes } from '../support/diff.js';
import { C, fan, OK, ok, recordsOf } from '../support/fan-run.js';
import { lineBytes } from '../support/lines.js';

// Awkward records through `manifold fan`: larger than a block, every byte value, empty input, a
// last record without its delimiter.

describe.concurrent('manifold fan: awkward records', () => {
  it('keeps records larger than a block whole and complete', async ({ expect }) => {
    const pick = randoms(15);
    const lines = variedLines(600, 16);
    for (let i = 0; i < 10; i++) {
      lines.splice(pick(lines.length), 0, `${i}:${String.fromCharCode(97 + i).repeat(50_000)}`);
    }
    const input = lineBytes(lines);
    const ready = await fan(['-j', '3', '--block', '1K', '--', 'cat'], input);
    expect(ok(ready)).toEqual(OK);
    expect(differences(recordsOf(ready.stdout), recordsOf(input))).toEqual(SAME);
    const ordered = await fan(
      ['-j', '3', '--block', '1K', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(ordered)).toEqual(OK);
    expect(byteDiff(ordered.stdout, input)).toEqual(sameBytes(input));
  });

  it('passes every byte value but the newline, invalid UTF-8 and CR unchanged', async ({
    expect,
  }) => {
    const pick = randoms(17);
    const everyByte = Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 10);
    const lines: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const shuffled = [...everyByte];
      for (let j = shuffled.length - 1; j > 0; j--) {
        const k = pick(j + 1);
        [shuffled[j], shuffled[k]] = [shuffled[k]!, shuffled[j]!];
      }
      lines.push(Buffer.from(shuffled.slice(0, pick(256))));
    }
    lines.push(Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28]), Buffer.from([0x80]));
    lines.push(
      Buffer.from('crlf\r'),
      Buffer.from('\r'),
      Buffer.from('a\rb'),
      Buffer.from(everyByte),
    );
    const input = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
    const ordered = await fan(
      ['-j', '3', '--block', '1K', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(ordered)).toEqual(OK);
    expect(byteDiff(ordered.stdout, input)).toEqual(sameBytes(input));
    const ready = await fan(['-j', '3', '--block', '1K', '--', 'cat'], input);
    expect(ok(ready)).toEqual(OK);
    expect(differences(recordsOf(ready.stdout), recordsOf(input))).toEqual(SAME);
  });

  const emptyCases: [string, string[]][] = [
    ['the defaults', ['--', 'cat']],
    ['--merge ordered', ['--merge', 'ordered', '--', 'cat']],
    ['--one-to-one', ['--merge', 'ordered', '--one-to-one', '--', 'cat']],
    [
      '--protocol manifold',
      ['--merge', 'ordered', '--protocol', 'manifold', '--', bin('mf-map'), 'r'],
    ],
    ['--merge sorted', ['--merge', 'sorted', '--', 'sort']],
    ['--dispatch hash', ['--dispatch', 'hash', '--key', 'field:1', '--', 'cat']],
    ['--dispatch broadcast --tag', ['--dispatch', 'broadcast', '--tag', '--', 'cat']],
    ['--dispatch round-robin', ['--dispatch', 'round-robin', '--', 'cat']],
    ['-0', ['-0', '--', 'cat']],
    ['--split frames', ['--split', 'frames', '--merge', 'ordered', '--', 'cat']],
    ['--shell', ['--shell', '--', 'cat | cat']],
  ];
  it.for(emptyCases)('empty input gives no output and exit 0: %s', async ([, args], { expect }) => {
    const result = await fan(['-j', '3', ...args], '');
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.length).toBe(0);
  });

  const unterminated = Array.from({ length: 300 }, (_, i) => `record ${i}`).join('\n');
  const lastCases: [string, string[], string, boolean][] = [
    ['the defaults', ['--', 'cat'], '\n', false],
    ['--merge ordered', ['--merge', 'ordered', '--', 'cat'], '\n', true],
    ['--one-to-one', ['--merge', 'ordered', '--one-to-one', '--', 'cat'], '\n', true],
    [
      '--protocol manifold',
      ['--merge', 'ordered', '--protocol', 'manifold', '--', bin('mf-map'), 'r'],
      '\n',
      true,
    ],
    ['--dispatch hash', ['--dispatch', 'hash', '--', 'cat'], '\n', false],
    ['--dispatch round-robin', ['--dispatch', 'round-robin', '--', 'cat'], '\n', false],
    ['-0', ['-0', '--merge', 'ordered', '--', 'cat'], '\0', true],
    ['delim:--|', ['--split', 'delim:--|', '--', 'cat'], '--|', false],
  ];
  it.for(lastCases)(
    'a last record without its delimiter still comes out, as the worker wrote it: %s',
    async ([, args, delimiter, exact], { expect }) => {
      const input = Buffer.from(unterminated.replaceAll('\n', delimiter));
      // cat gives it back as it came; mf-map writes every record with its delimiter.
      const added = args.includes(bin('mf-map')) ? delimiter : '';
      const expected = Buffer.concat([input, Buffer.from(added)]);
      const result = await fan(['-j', '3', '--block', '256', ...args], input);
      expect(ok(result)).toEqual(OK);
      if (exact) expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
      else
        expect(
          differences(recordsOf(result.stdout, delimiter), recordsOf(expected, delimiter)),
        ).toEqual(SAME);
    },
  );

  it('a last record without its newline survives the sorted merge and broadcast', async ({
    expect,
  }) => {
    const input = Buffer.from(unterminated);
    const expected = recordsOf(Buffer.from(`${unterminated}\n`));
    const sorted = await fan(
      ['-j', '3', '--block', '256', '--merge', 'sorted', '--', 'sort'],
      input,
      C,
    );
    expect(ok(sorted)).toEqual(OK);
    expect(recordsOf(sorted.stdout)).toEqual([...expected].sort());
    expect(sorted.stdout.at(-1)).toBe(10);
    const broadcast = await fan(
      ['-j', '2', '--block', '256', '--dispatch', 'broadcast', '--', 'cat'],
      input,
    );
    expect(ok(broadcast)).toEqual(OK);
    expect(differences(recordsOf(broadcast.stdout), [...expected, ...expected])).toEqual(SAME);
  });
});
