import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../../helpers.js';
import { fileTempDir } from '../../support/temp.js';

// The options every mf-* filter has from the SDK (--split, --join, --max-record, --protocol),
// each given to each filter, its output checked against what the option asks for: each case
// fails if the filter ignored the option (the SDK's own are in test/filters/sdk.test.ts, on a
// fixture filter; these are the shipped binaries, whose --help lists them).

type Framing = 'lines' | 'nul' | 'frames';

function encode(records: string[], framing: Framing): Buffer {
  if (framing === 'lines') return Buffer.from(records.map((r) => `${r}\n`).join(''));
  if (framing === 'nul') return Buffer.from(records.map((r) => `${r}\0`).join(''));
  return Buffer.concat(
    records.map((r) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(Buffer.byteLength(r));
      return Buffer.concat([length, Buffer.from(r)]);
    }),
  );
}

const dir = fileTempDir('manifold-shared-flags-');
const table = join(dir, 't.mft');
const built = run(manifold, ['table', 'build', '-', '--key', 'field:1', '-o', table], 'b B\n');

const RECORDS = ['b x', 'a y'];

interface Filter {
  name: string;
  args: string[];
  /** Its input framing when not given, and its output's ('same': the input's). */
  reads: Framing;
  writes: Framing | 'same';
  /** What it makes of RECORDS. */
  out: string[];
}

const FILTERS: Filter[] = [
  { name: 'mf-map', args: ['r'], reads: 'lines', writes: 'same', out: RECORDS },
  { name: 'mf-filter', args: ['true'], reads: 'lines', writes: 'same', out: RECORDS },
  {
    name: 'mf-reduce',
    args: ['count'],
    reads: 'lines',
    writes: 'same',
    out: ['a y\t1', 'b x\t1'],
  },
  {
    name: 'mf-join',
    args: ['--table', table, '--mode', 'left', '--key', 'field:1'],
    reads: 'lines',
    writes: 'same',
    out: ['b x\tb B', 'a y'],
  },
  { name: 'mf-frame', args: [], reads: 'lines', writes: 'frames', out: RECORDS },
  { name: 'mf-unframe', args: [], reads: 'frames', writes: 'lines', out: RECORDS },
];

const writes = (filter: Filter, input: Framing) =>
  filter.writes === 'same' ? input : filter.writes;

describe.each(FILTERS)('$name', (filter) => {
  const filterRun = async (flags: string[], input: Buffer) => {
    await built;
    return run(bin(filter.name), [...flags, ...filter.args], input);
  };

  it('--split nul: reads NUL-ended records', async () => {
    const result = await filterRun(['--split', 'nul'], encode(RECORDS, 'nul'));
    expect({ status: result.exitCode, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toEqual(encode(filter.out, writes(filter, 'nul')));
  });

  it('--join nul: writes NUL-ended records', async () => {
    const result = await filterRun(['--join', 'nul'], encode(RECORDS, filter.reads));
    expect({ status: result.exitCode, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(result.stdout).toEqual(encode(filter.out, 'nul'));
  });

  it('--max-record: refuses a longer record, which the default takes', async () => {
    const input = encode(['b x', 'a record of 24 bytes ...'], filter.reads);
    const limited = await filterRun(['--max-record', '16'], input);
    expect(limited.exitCode).toBe(1);
    expect(limited.stderr).toMatch(
      new RegExp(`^${filter.name}: stdin:2: .*maximum record size 16 B.*--max-record.*\\n$`),
    );
    expect((await filterRun([], input)).exitCode).toBe(0);
  });

  it('--protocol manifold (as manifold fan --protocol manifold gives it): the same output', async () => {
    await built;
    const fanFraming = ['--split', filter.reads, '--join', writes(filter, filter.reads)];
    const result = await run(
      manifold,
      [
        'fan',
        '-j',
        '2',
        '--protocol',
        'manifold',
        '--merge',
        'ordered',
        ...fanFraming,
        '--',
      ].concat([bin(filter.name), ...filter.args]),
      encode(RECORDS, filter.reads),
    );
    expect({ status: result.exitCode, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    // mf-reduce reduces each block: two records in one block, as above.
    expect(result.stdout).toEqual(encode(filter.out, writes(filter, filter.reads)));
  });
});

// An option given twice: the last counts, as in manifold fan and GNU tools (docs/fan.md "Unix
// manners"), so a wrapper's defaults can be overridden; a repeat is not refused.
describe('an option given twice: the last one counts', () => {
  it('--split, --join and --max-record', async () => {
    const args = ['--split', 'nul', '--split', 'lines', '--join', 'nul', '--join', 'lines'];
    const limits = ['--max-record', '1', '--max-record', '8'];
    const result = await run(bin('mf-map'), [...args, ...limits, 'r.toUpperCase()'], 'a\0b\nc\0');
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([
      0,
      '',
      'A\0B\nC\0\n',
    ]);
  });
});
