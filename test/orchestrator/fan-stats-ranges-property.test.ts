import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fileWith, tempDir } from '../support/temp.js';

// --stats and --joblog read a file as byte ranges, each block's records counted as it is cut,
// and a pipe as a stream cut near its blocks' ends, then counted. Whatever the input, framing,
// block size or merge, the numbers they report must be the same from `--input f`, `< f` and a
// pipe, and be the input's records: random inputs, a few runs each (every run is three fans).

const framings = [
  { split: 'lines', end: '\n' },
  { split: 'nul', end: '\0' },
  { split: 'delim:XY', end: 'XY' },
  { split: 'fixed:7', size: 7 },
] as const;

const merges = [
  [],
  ['--dispatch', 'round-robin'],
  ['--merge', 'ordered'],
  ['--merge', 'ordered', '--one-to-one'],
] as const;

/** Records as the counting splitter cuts them: a last one unended, or short, counts. */
function recordsOf(input: string, framing: (typeof framings)[number]): number {
  if ('size' in framing) return Math.ceil(input.length / framing.size);
  if (input === '') return 0;
  const ends = input.split(framing.end).length - 1;
  return input.endsWith(framing.end) ? ends : ends + 1;
}

interface Reported {
  exitCode: number | undefined;
  totals: number[];
  workers: number[];
  joblog: string[];
}

const KEYS = ['blocks', 'recordsIn', 'bytesIn', 'recordsOut'] as const;

async function report(args: string[], from: 'file' | 'stdin' | 'pipe', input: string) {
  const dir = tempDir();
  const file = fileWith('manifold-stats-property-', Buffer.from(input, 'latin1'));
  const stats = join(dir, 'stats.json');
  const joblog = join(dir, 'joblog.tsv');
  const fan = ['fan', ...args, '--stats', stats, '--joblog', joblog];
  const result =
    from === 'file'
      ? await run(manifold, [...fan, '--input', file, '--', 'cat'])
      : from === 'stdin'
        ? await run('sh', ['-c', 'exec "$@" < "$0"', file, manifold, ...fan, '--', 'cat'])
        : await run(manifold, [...fan, '--', 'cat'], Buffer.from(input, 'latin1'));
  expect(result.exitCode, result.stderr).toBe(0);
  const summary = JSON.parse(readFileSync(stats, 'utf8')) as {
    totals: Record<(typeof KEYS)[number], number>;
    workers: Record<(typeof KEYS)[number], number>[];
  };
  const rows = readFileSync(joblog, 'utf8').trim().split('\n');
  const head = rows[0]!.split('\t');
  // Rows as they come, without timings and where each ran: the block, its bytes and records.
  const kept = ['Seq', 'Send', 'SendRecords', 'ReceiveRecords', 'Attempts', 'Status'].map((c) =>
    head.indexOf(c),
  );
  const joblogRows = rows
    .slice(1)
    .map((row) => row.split('\t'))
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map((cells) => kept.map((i) => cells[i]).join(' '));
  return {
    exitCode: result.exitCode,
    totals: KEYS.map((key) => summary.totals[key]),
    workers: KEYS.map((key) => summary.workers.reduce((n, w) => n + w[key], 0)),
    joblog: joblogRows,
  } satisfies Reported;
}

const record = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'X', 'Y', '\n', '\0'), maxLength: 40 }),
  },
  { weight: 1, arbitrary: fc.nat(3000).map((n) => 'r'.repeat(n)) },
);

const cases = fc.record({
  framing: fc.constantFrom(...framings),
  merge: fc.constantFrom(...merges),
  block: fc.constantFrom('1', '100', '1K', '4K', '64K'),
  records: fc.array(record, { maxLength: 300 }),
  ended: fc.boolean(),
});

describe('--stats and --joblog report the same numbers from a file, stdin and a pipe', () => {
  it('random inputs, framings, block sizes and merges', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ framing, merge, block, records, ended }) => {
        // A record holds no delimiter of its own framing.
        const end = 'end' in framing ? framing.end : '';
        const parts = records.map((r) => (end === '' ? r : r.split(end).join('')));
        let input = parts.join(end) + (ended ? end : '');
        if ('size' in framing && !ended) input += 'z';
        const args = ['-j', '2', '--block', block, '--split', framing.split, ...merge];
        const said: Reported[] = [];
        for (const from of ['file', 'stdin', 'pipe'] as const)
          said.push(await report(args, from, input));
        const expected = recordsOf(input, framing);
        const bytes = Buffer.byteLength(input, 'latin1');
        expect(said[0]!.totals.slice(1)).toEqual([expected, bytes, expected]);
        // No retry or halt: each block went to one worker once.
        expect(said[0]!.workers).toEqual(said[0]!.totals);
        expect(said[1]).toEqual(said[0]);
        expect(said[2]).toEqual(said[0]);
      }),
      { seed: 20261205, numRuns: 12 },
    );
  });
});
