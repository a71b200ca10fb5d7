import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fileWith, tempDir } from '../support/temp.js';

// --stats, --progress and --joblog read a file's input as byte ranges, each block's records
// counted as it is cut (one search a block), and a pipe's as a stream cut near its blocks' ends;
// before, they found every record one by one. The counts must be the same either way: records
// across block ends, a last record without its newline, blocks of one record and of many.

interface Totals {
  blocks: number;
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  bytesOut: number;
}

const lines = Array.from({ length: 3000 }, (_, i) => 'y'.repeat((i * 7919) % 301));
const input = `${lines.join('\n')}\nlast, unended`;

describe('--stats over ranges of a file and over a pipe', () => {
  for (const block of ['1K', '16K', '1M']) {
    it(`--block ${block}: every record counted once, in and out, from a file and from a pipe`, async () => {
      const file = fileWith('manifold-stats-ranges-', input);
      const said: Totals[] = [];
      for (const from of ['file', 'pipe'] as const) {
        const stats = join(tempDir(), 'stats.json');
        const args = ['fan', '-j', '2', '--block', block, '--stats', stats, '--verbose'];
        const result =
          from === 'file'
            ? await run(manifold, [...args, '--input', file, '--', 'cat'])
            : await run(manifold, [...args, '--', 'cat'], input);
        expect(result.exitCode, result.stderr).toBe(0);
        // The cut said: near the blocks' ends, then counted; not record by record.
        expect(result.stderr).toMatch(
          from === 'file'
            ? /^manifold: input: .* is read as byte ranges of .*records counted, for what reports them/m
            : /^manifold: input: read as a stream, each block cut at its last record end, then its records counted \(for what reports them\)/m,
        );
        const out = result.stdout.toString('latin1');
        // The last record, unended, may come out ended (a worker's other records follow it).
        expect(out.replace(/\n$/, '').split('\n').sort()).toEqual(input.split('\n').sort());
        const report = JSON.parse(readFileSync(stats, 'utf8')) as {
          totals: Totals;
          workers: Totals[];
        };
        const sum = (key: keyof Totals) => report.workers.reduce((n, w) => n + w[key], 0);
        expect(report.totals).toMatchObject({
          recordsIn: lines.length + 1,
          bytesIn: input.length,
          recordsOut: lines.length + 1,
        });
        for (const key of ['blocks', 'recordsIn', 'bytesIn', 'recordsOut'] as const)
          expect(sum(key), key).toBe(report.totals[key]);
        // Its bytes out: one more where the last record, unended, came out ended (above).
        const { bytesOut, ...counted } = report.totals;
        expect([input.length, input.length + 1]).toContain(bytesOut);
        said.push({ ...counted, bytesOut: input.length });
      }
      expect(said[1]).toEqual(said[0]);
    });
  }

  it('--joblog: each block has its records, summing to the input', async () => {
    const file = fileWith('manifold-stats-ranges-', input);
    const result = await run(manifold, [
      ...['fan', '-j', '2', '--block', '4K', '--joblog', '-', '--input', file, '--', 'cat'],
    ]);
    expect(result.exitCode).toBe(0);
    const rows = result.stderr.trim().split('\n');
    const head = rows[0]!.split('\t');
    const sent = head.indexOf('SendRecords');
    const got = head.indexOf('ReceiveRecords');
    const total = (col: number) =>
      rows.slice(1).reduce((n, row) => n + Number(row.split('\t')[col]), 0);
    expect([total(sent), total(got)]).toEqual([lines.length + 1, lines.length + 1]);
  });

  it('--retries: a block retried is read again from the file, and counted once', async () => {
    const file = fileWith('manifold-stats-ranges-', input);
    for (const from of ['file', 'pipe'] as const) {
      const dir = tempDir();
      const stats = join(dir, 'stats.json');
      const joblog = join(dir, 'joblog.tsv');
      // A fresh process per block (--retries asks it): each fails its block's first attempt.
      const worker = `mkdir "${dir}/$MANIFOLD_BLOCK" 2>/dev/null || exec cat; cat > /dev/null; exit 3`;
      const args = ['fan', '-j', '2', '--block', '16K', '--retries', '1'];
      const tail = ['--stats', stats, '--joblog', joblog, '--', 'sh', '-c', worker];
      const result =
        from === 'file'
          ? await run(manifold, [...args, '--input', file, ...tail])
          : await run(manifold, [...args, ...tail], input);
      expect(result.exitCode, result.stderr).toBe(0);
      const out = result.stdout.toString('latin1');
      expect(out.replace(/\n$/, '').split('\n').sort()).toEqual(input.split('\n').sort());
      const { totals } = JSON.parse(readFileSync(stats, 'utf8')) as { totals: Totals };
      expect(totals, from).toMatchObject({
        recordsIn: lines.length + 1,
        bytesIn: input.length,
        recordsOut: lines.length + 1,
      });
      const rows = readFileSync(joblog, 'utf8').trim().split('\n');
      const head = rows[0]!.split('\t');
      const cells = rows.slice(1).map((row) => row.split('\t'));
      const column = (name: string) => cells.map((c) => c[head.indexOf(name)]!);
      expect(cells).toHaveLength(totals.blocks);
      expect(new Set(column('Attempts')), from).toEqual(new Set(['2']));
      const sum = (name: string) => column(name).reduce((n, v) => n + Number(v), 0);
      expect([sum('SendRecords'), sum('ReceiveRecords'), sum('Send')]).toEqual([
        lines.length + 1,
        lines.length + 1,
        input.length,
      ]);
    }
  });

  // A block left in the file is counted a piece (1 MiB) at a time: a delimiter of two bytes cut
  // by a piece's end was counted in neither (30000 records for 30001 from a file, not a pipe).
  for (const delimiter of ['XY', '\r\n']) {
    it(`--stats: a ${JSON.stringify(delimiter)} cut by a piece of a block left in the file is counted`, async () => {
      const spelled = delimiter === 'XY' ? 'delim:XY' : 'delim:\\r\\n';
      const records = [
        'a'.repeat(1024 * 1024 - 1),
        ...Array.from({ length: 500 }, (_, i) => `r${i}`),
      ];
      const text = `${records.join(delimiter)}${delimiter}`;
      const file = fileWith('manifold-stats-ranges-', text);
      for (const from of ['file', 'pipe'] as const) {
        const stats = join(tempDir(), 'stats.json');
        const args = ['fan', '-j', '2', '--block', '2M', '--split', spelled, '--stats', stats];
        const result =
          from === 'file'
            ? await run(manifold, [...args, '--input', file, '--', 'cat'])
            : await run(manifold, [...args, '--', 'cat'], text);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stdout.toString('latin1')).toBe(text);
        const { totals } = JSON.parse(readFileSync(stats, 'utf8')) as { totals: Totals };
        expect(totals, from).toMatchObject({
          recordsIn: records.length,
          bytesIn: text.length,
          recordsOut: records.length,
        });
      }
    });
  }
});
