import { describe, it } from 'vitest';
import { bin, fixture, run } from '../helpers.js';
import { bytes, randoms, variedLines } from '../support/data.js';
import { byteDiff, differences, SAME, sameBytes } from '../support/diff.js';
import { fan, OK, ok, recordsOf } from '../support/fan-run.js';
import { framed, unframed } from '../support/framing.js';
import { lineBytes } from '../support/lines.js';

// The framings of `manifold fan` end to end (--split, -0, --join): blocks never cut a record,
// whatever the framing, block size or way of tying output to blocks.

describe.concurrent('manifold fan framings: blocks never cut a record', () => {
  const pick = randoms(14);

  interface Case {
    name: string;
    args: string[];
    /** The worker's --split. */
    split: string;
    input: Buffer;
    records: (data: Buffer) => string[];
    /** Run through the record-reversing filter too (once per framing is enough). */
    reverse: boolean;
  }

  const nulInput = Buffer.concat(
    Array.from({ length: 500 }, () => [bytes(pick, pick(40), [0]), Buffer.from([0])]).flat(),
  );
  const delimRecords = Array.from({ length: 500 }, () => {
    // '-' and '|' are frequent, so records end in '-' and start with '|', but never hold '--|'.
    const alphabet = ['-', '|', '-', 'a', '\n', '\0', 'é'];
    let record = Array.from({ length: pick(30) }, () => alphabet[pick(alphabet.length)]).join('');
    while (record.includes('--|')) record = record.replace('--|', '-|');
    return record;
  });
  const delimInput = Buffer.from(delimRecords.map((r) => `${r}--|`).join(''));
  const paragraphs = Buffer.from(
    Array.from({ length: 500 }, () =>
      pick(4) === 0
        ? '\n\n'
        : `${pick(2) ? '\n' : ''}p ${pick(1000)}\nline${pick(3) ? '\n' : ''}.\n\n`,
    ).join(''),
  );
  const payloads = Array.from({ length: 600 }, (_, i) =>
    i % 97 === 5 ? bytes(pick, 3000) : bytes(pick, pick(4) === 0 ? 0 : pick(120)),
  );
  const framedInput = framed(payloads);
  const fixed = bytes(pick, 8 * 1500);
  const fixedSlices = (data: Buffer) =>
    Array.from({ length: Math.ceil(data.length / 8) }, (_, i) =>
      data.subarray(8 * i, 8 * i + 8).toString('latin1'),
    );

  const cases: Case[] = [
    // The three names of the NUL framing; the reversing filter once.
    ...(
      [
        ['--split nul', ['--split', 'nul']],
        ['-0', ['-0']],
        ['--null', ['--null']],
      ] as const
    ).map(([name, args]) => ({
      name,
      args: [...args],
      split: 'nul',
      input: nulInput,
      records: (d: Buffer) => recordsOf(d, '\0'),
      reverse: name === '--split nul',
    })),
    {
      name: 'delim:--|',
      args: ['--split', 'delim:--|'],
      split: 'delim:--|',
      input: delimInput,
      records: (d) => recordsOf(d, '--|'),
      reverse: true,
    },
    {
      name: 'delim:\\n\\n (paragraphs, some empty)',
      args: ['--split', 'delim:\\n\\n'],
      split: 'delim:\\n\\n',
      input: paragraphs,
      records: (d) => recordsOf(d, '\n\n'),
      reverse: true,
    },
    {
      name: 'frames',
      args: ['--split', 'frames'],
      split: 'frames',
      input: framedInput,
      records: unframed,
      reverse: true,
    },
    {
      name: 'fixed:8',
      args: ['--split', 'fixed:8'],
      split: 'fixed:8',
      input: fixed,
      records: fixedSlices,
      reverse: true,
    },
  ];

  for (const { name, args, split, input, records, reverse } of cases) {
    it(`${name}: ordered per-block cat gives the input back exactly`, async ({ expect }) => {
      const result = await fan(
        ['-j', '3', '--block', '1K', '--merge', 'ordered', ...args, '--', 'cat'],
        input,
      );
      expect(ok(result)).toEqual(OK);
      expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    });

    it(`${name}: persistent cat, merged as ready, gives back the records`, async ({ expect }) => {
      const result = await fan(['-j', '3', '--block', '100', ...args, '--', 'cat'], input);
      expect(ok(result)).toEqual(OK);
      expect(differences(records(result.stdout), records(input))).toEqual(SAME);
    });

    if (reverse)
      it(`${name}: a filter that reverses each record sees whole records only`, async ({
        expect,
      }) => {
        const filter = [fixture('fan-reverse.js'), '--split', split];
        const alone = await run(filter[0]!, filter.slice(1), input);
        expect(ok(alone)).toEqual(OK);
        // Block 1: every record is larger than a block; 50: several records a block.
        const check = async (block: string) => {
          const result = await fan(
            [
              '-j',
              '3',
              '--block',
              block,
              '--merge',
              'ordered',
              '--protocol',
              'manifold',
              ...args,
              '--',
              ...filter,
            ],
            input,
          );
          expect({ block, ...ok(result) }).toEqual({ block, ...OK });
          expect({ block, ...byteDiff(result.stdout, alone.stdout) }).toEqual({
            block,
            ...sameBytes(alone.stdout),
          });
        };
        await Promise.all([check('1'), check('50')]);
      });
  }

  it('--join reads workers that write another framing: lines in, frames out, and back', async ({
    expect,
  }) => {
    const lines = lineBytes(variedLines(2_000, 22));
    const alone = await run(bin('mf-frame'), [], lines);
    expect(ok(alone)).toEqual(OK);
    const ordered = await fan(
      [
        '-j',
        '3',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--protocol',
        'manifold',
        '--join',
        'frames',
        '--',
        bin('mf-frame'),
      ],
      lines,
    );
    expect(ok(ordered)).toEqual(OK);
    expect(byteDiff(ordered.stdout, alone.stdout)).toEqual(sameBytes(alone.stdout));
    const ready = await fan(
      ['-j', '3', '--block', '1K', '--join', 'frames', '--', bin('mf-frame')],
      lines,
    );
    expect(ok(ready)).toEqual(OK);
    expect(differences(unframed(ready.stdout), recordsOf(lines))).toEqual(SAME);
    const back = await fan(
      ['-j', '3', '--block', '1K', '--split', 'frames', '--join', 'lines', '--', bin('mf-unframe')],
      alone.stdout,
    );
    expect(ok(back)).toEqual(OK);
    expect(differences(recordsOf(back.stdout), recordsOf(lines))).toEqual(SAME);
  });

  it('fixed:8 keeps a short final record as it is', async ({ expect }) => {
    const input = Buffer.concat([fixed.subarray(0, 8 * 300), Buffer.from('end')]);
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '20',
        '--merge',
        'ordered',
        '--one-to-one',
        '--split',
        'fixed:8',
        '--',
        'cat',
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });
});
