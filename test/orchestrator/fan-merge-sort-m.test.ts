import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { run } from '../helpers.js';
import { randoms } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan, recordsOf, statsOf } from '../support/fan-run.js';
import { oneLine, STREAM_ENDS_LINE } from '../support/lines.js';
import { holdsWithin } from '../support/proc.js';
import { spawnManifold, watch } from '../support/spawn.js';
import { fileTempDir } from '../support/temp.js';

// `--merge sorted` handed to GNU `sort -m` (orchestrator/fan/sort-merge/): for every key spec it
// can say, the output is byte for byte manifold's own merge's (chosen here by --merge-memory)
// and one `sort` over all the workers' outputs. Each worker reads its input and then writes a
// run prepared for its slot, so both merges see the same runs whatever the dispatch did: ties
// between workers, empty runs, a run without its last delimiter, bytes of every kind.

const SORT_M =
  /^manifold: --merge sorted: GNU sort merges the workers' outputs through kernel pipes \(LC_ALL=C .*sort -m -s.*\)\n$/;
const OURS = /^manifold: --merge sorted: manifold merges, since --merge-memory, given, .*\n$/;
const C = { env: { LC_ALL: 'C' } };

/** A worker that takes its input and writes the run prepared for its slot in folder `dir`. */
const runOfSlot = (dir: string) => ['sh', '-c', 'cat > /dev/null; cat "$0/$MANIFOLD_WORKER"', dir];

const WORDS = ['ab', 'abc', 'b', 'ba\u00ff', 'a\u0001b', 'b\r', '', 'zz', 'Z', '\u00e9t\u00e9'];
const NUMBERS = [
  '0',
  '-0',
  '007',
  '7',
  '.5',
  '-.5',
  '1.50',
  '1.5',
  '1e3',
  '+5',
  'abc',
  '',
  ' 12',
  '-2',
  '12345678901234567890',
  '12345678901234567891',
];

/**
 * Records whose fields are split by blanks (some leading), or by `sep`; few keys, many ties. The
 * number is the second field, or the first for `numberFirst`.
 */
function records(seed: number, count: number, sep: string | null, numberFirst = false): string[] {
  const pick = randoms(seed);
  const word = () => WORDS[pick(WORDS.length)]!;
  const number = () => NUMBERS[pick(NUMBERS.length)]!;
  const blank = () => [' ', '  ', '\t', ' \t'][pick(4)]!;
  return Array.from({ length: count }, () => {
    if (pick(25) === 0) return '';
    const fields = numberFirst ? [number(), word(), word()] : [word(), number(), word()];
    if (sep !== null) return fields.join(sep);
    return `${pick(5) === 0 ? blank() : ''}${fields.map((f) => f.trim() || 'x').join(blank())}`;
  });
}

interface Case {
  name: string;
  /** The fan's options for the order. */
  fan: string[];
  /** The same order for `sort` (parts and the sequential answer). */
  sort: string[];
  sep: string | null;
  nul?: boolean;
  numberFirst?: boolean;
}

const cases: Case[] = [
  { name: 'whole records', fan: [], sort: [], sep: null },
  { name: 'whole, --reverse', fan: ['--reverse'], sort: ['-r'], sep: null },
  { name: 'whole, --numeric', fan: ['--numeric'], sort: ['-n'], sep: ' ', numberFirst: true },
  {
    name: 'whole, --numeric --reverse',
    fan: ['--numeric', '--reverse'],
    sort: ['-nr'],
    sep: ' ',
    numberFirst: true,
  },
  { name: 'field:2 on blanks', fan: ['--key', 'field:2'], sort: ['-s', '-k2b,2'], sep: null },
  {
    name: 'field:2 on blanks, --numeric',
    fan: ['--key', 'field:2', '--numeric'],
    sort: ['-s', '-k2b,2n', '-k2b,2'],
    sep: null,
  },
  {
    name: 'field:2 with --field-sep ,',
    fan: ['--key', 'field:2', '--field-sep', ','],
    sort: ['-s', '-t', ',', '-k2,2'],
    sep: ',',
  },
  {
    name: 'field:2 with --field-sep ,, --numeric --reverse',
    fan: ['--key', 'field:2', '--field-sep', ',', '--numeric', '--reverse'],
    sort: ['-s', '-t', ',', '-k2,2nr', '-k2,2r'],
    sep: ',',
  },
  { name: 'NUL-ended records (-0)', fan: ['-0'], sort: ['-z'], sep: '\n', nul: true },
  {
    name: 'NUL-ended records, field:3 with --field-sep :',
    fan: ['-0', '--key', 'field:3', '--field-sep', ':'],
    sort: ['-z', '-s', '-t', ':', '-k3,3'],
    sep: ':',
    nul: true,
  },
];

describe.concurrent('--merge sorted by sort -m', () => {
  const dir = fileTempDir();

  it.for(cases)('$name: the same bytes as our merge and as one sort', async (c, { expect }) => {
    const end = c.nul ? '\0' : '\n';
    const folder = join(dir, c.name.replace(/\W+/g, '-'));
    const sortBytes = async (text: string) =>
      (await run('sort', c.sort, Buffer.from(text, 'latin1'), C)).stdout;
    // Three runs: the second without its last delimiter (so its last record is not empty), the
    // third empty.
    const parts = [
      records(1, 300, c.sep, c.numberFirst),
      records(2, 200, c.sep, c.numberFirst).filter((record) => record !== ''),
      [],
    ];
    const runs = await Promise.all(
      parts.map((part) => sortBytes(part.map((r) => r + end).join(''))),
    );
    runs[1] = runs[1]!.subarray(0, -1);
    mkdirSync(folder);
    for (const [i, bytes] of runs.entries()) writeFileSync(join(folder, String(i + 1)), bytes);
    const all = Buffer.concat([runs[0]!, runs[1]!, Buffer.from(end), runs[2]!]);
    const alone = await sortBytes(all.toString('latin1'));

    const args = ['-j', '3', '--block', '16', '--merge', 'sorted', '--verbose', ...c.fan];
    const input = Array.from({ length: 40 }, (_, i) => `${i}${end}`).join('');
    const bySort = await fan([...args, '--', ...runOfSlot(folder)], input, C);
    const ours = await fan(
      [...args, '--merge-memory', '32M', '--', ...runOfSlot(folder)],
      input,
      C,
    );
    // Besides the line saying that the piped input's records are not counted.
    for (const r of [bySort, ours]) expect(r.stderr).toMatch(STREAM_ENDS_LINE);
    const decided = (stderr: string) => stderr.replace(STREAM_ENDS_LINE, '');
    expect([bySort.exitCode, decided(bySort.stderr)]).toEqual([0, expect.stringMatching(SORT_M)]);
    expect([ours.exitCode, decided(ours.stderr)]).toEqual([0, expect.stringMatching(OURS)]);
    expect(byteDiff(bySort.stdout, alone)).toEqual(sameBytes(alone));
    expect(byteDiff(ours.stdout, alone)).toEqual(sameBytes(alone));
  });

  it('workers that really sort: the bytes of one sort, and --stats counts the output', async ({
    expect,
  }) => {
    const input = Buffer.from(`${records(3, 20_000, null).join('\n')}\n`, 'latin1');
    const alone = (await run('sort', [], input, C)).stdout;
    const result = await fan(
      ['-j', '3', '--block', '4K', '--merge', 'sorted', '--stats', '-', '--', 'sort'],
      input,
      C,
    );
    expect(result.exitCode).toBe(0);
    expect(byteDiff(result.stdout, alone)).toEqual(sameBytes(alone));
    expect(statsOf(result).totals.recordsOut).toBe(20_000);
  });

  it('its workers are started by the process starter: stdin a kernel pipe fed from the file, stdout the pipe sort -m reads', async ({
    expect,
  }) => {
    const dir = fileTempDir('manifold-sort-m-starter-');
    const input = join(dir, 'input');
    writeFileSync(input, `${records(5, 5000, null).join('\n')}\n`, 'latin1');
    const alone = (await run('sort', [input], '', C)).stdout;
    // Each worker says what its stdin and stdout are and who started it, then sorts.
    const script =
      'echo "in $(readlink /proc/$$/fd/0 | cut -d: -f1) out $(readlink /proc/$$/fd/1 | cut -d: -f1) by $(head -c 16 /proc/$PPID/cmdline)" >&2; exec sort';
    // Blocks of 4K: several, so that both workers are given some, and start.
    const result = await fan(
      ['-j', '2', '--block', '4K', '--merge', 'sorted', '--input', input, '--', 'sh', '-c', script],
      '',
      C,
    );
    expect(result.exitCode).toBe(0);
    expect(byteDiff(result.stdout, alone)).toEqual(sameBytes(alone));
    const said = result.stderr.split('\n').filter((line) => line.startsWith('in '));
    expect(said).toEqual(Array(2).fill('in pipe out pipe by /usr/bin/python3'));
  });

  it('a failed worker: exit 1, one line naming it, no record it had begun, nothing left running', async ({
    expect,
  }) => {
    const token = randomUUID();
    const script =
      'cat > /dev/null; if [ "$MANIFOLD_WORKER" = 1 ]; then printf "a\\nb\\nzz-begun"; exit 3; fi; printf "c\\nd\\n"';
    const result = await fan(['-j', '2', '--merge', 'sorted', '--', 'sh', '-c', script], 'x\ny\n', {
      env: { LC_ALL: 'C', MANIFOLD_TEST_TOKEN: token },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toMatch(/worker 1 \(pid \d+: sh -c .*\) exited with status 3/);
    const written = recordsOf(result.stdout);
    expect(written.filter((r) => !['a', 'b', 'c', 'd'].includes(r))).toEqual([]);
    expect(written).toEqual([...written].sort());
    expect(await leftWith(token)).toEqual([]);
  });

  it('sort -m failing on its own: exit 1, one line with what it said', async ({ expect }) => {
    // A `sort` that says it is GNU's, and then fails; workers that write nothing, so that none
    // dies of SIGPIPE first.
    const bin = join(dir, 'failing-sort');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'sort'),
      '#!/bin/sh\n[ "$1" = --version ] && { echo "sort (GNU coreutils) 9.1"; exit 0; }\necho "sort: cannot merge today" >&2\nexit 2\n',
      { mode: 0o755 },
    );
    const result = await fan(
      ['-j', '2', '--merge', 'sorted', '--', 'sh', '-c', 'cat > /dev/null'],
      'a\n',
      {
        env: { LC_ALL: 'C', PATH: `${bin}:${process.env.PATH}` },
      },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toMatch(
      /^manifold: the merge \(sort -m, pid \d+\) exited with status 2: sort: cannot merge today\n$/,
    );
  });

  it('chooses manifold’s merge, and says why, where sort -m cannot say the order', async ({
    expect,
  }) => {
    const why = async (args: string[]) =>
      (await fan(['--merge', 'sorted', '--verbose', ...args, '--', 'sort'], 'b\na\n', C)).stderr;
    expect(await why(['--key', 'json:id', '--split', 'ndjson'])).toMatch(
      /manifold merges, since sort -m reads lines/,
    );
    expect(await why(['--key', 'field:1', '-0'])).toMatch(/manifold merges, since sort -z splits/);
    expect(await why(['--tag'])).toMatch(/manifold merges, since --tag/);
    expect(await why(['--dispatch', 'round-robin'])).toMatch(
      /manifold merges, since with --dispatch round-robin/,
    );
    expect(await why(['--per-block'])).toMatch(/manifold merges, since each block's output/);
    expect(await why(['--field-sep', '\u00e9', '--key', 'field:1'])).toMatch(/one-byte separator/);
    // It said -t ©, two bytes, and sort refused it: `multi-character tab`, the run failed.
    expect(await why(['--field-sep', '\\xa9', '--key', 'field:1'])).toMatch(/above 0x7F/);
    const latin1 = Buffer.from('b\xa91\na\xa92\nc\xa90\n', 'latin1');
    const sorted = await fan(
      [
        '-j',
        '2',
        '--block',
        '4',
        '--merge',
        'sorted',
        '--key',
        'field:1',
        '--field-sep',
        '\\xa9',
        '--',
        'sort',
      ],
      latin1,
      C,
    );
    expect([sorted.exitCode, sorted.stderr]).toEqual([0, '']);
    expect(sorted.stdout.toString('latin1')).toBe('a\xa92\nb\xa91\nc\xa90\n');
    // Given means given, the default's size too; not given, sort -m merges.
    expect(await why(['--merge-memory', '64M'])).toMatch(/manifold merges, since --merge-memory/);
    expect(await why([])).toMatch(/GNU sort merges/);
  });
});

// Not concurrent: spawnManifold's cleanup belongs to the test that runs it.
describe('--merge sorted by sort -m, stopped', () => {
  it('SIGTERM stops the workers and sort -m: exit 143, nothing left running', async ({
    expect,
  }) => {
    const token = randomUUID();
    const script = 'cat > /dev/null; echo "ready $MANIFOLD_WORKER" >&2; exec sleep 600';
    // A block each (-N 1): a worker given none would not start.
    const args = ['-j', '2', '-N', '1', '--merge', 'sorted', '--', 'sh', '-c', script];
    const child = spawnManifold(['fan', ...args], {
      LC_ALL: 'C',
      MANIFOLD_TEST_TOKEN: token,
    });
    const stderr = watch(child.stderr!);
    child.stdin!.end('a\nb\n');
    await stderr.waitFor(/^ready \d$/, 2);
    // The workers wait, and so does sort -m, for their output.
    const commands = processesWith(token).map((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'latin1'),
    );
    expect(commands.filter((command) => command.includes('sort\0-m\0'))).toHaveLength(1);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(143);
    expect(await leftWith(token)).toEqual([]);
  });
});

/** Processes whose environment holds `MANIFOLD_TEST_TOKEN=token`: what a run left behind. */
/**
 * The processes still carrying `token` once 5 s have passed without them: the workers' process
 * starter reaps them and ends on manifold's end, just after it (the grace fan-signals gives).
 */
async function leftWith(token: string): Promise<number[]> {
  await holdsWithin(() => processesWith(token).length === 0, 5000);
  return processesWith(token);
}

function processesWith(token: string): number[] {
  const mark = `MANIFOLD_TEST_TOKEN=${token}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(mark);
      } catch {
        return false;
      }
    })
    .map(Number);
}
