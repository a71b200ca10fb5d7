import { describe, expect, it } from 'vitest';
import { C, fan, statsOf } from '../support/fan-run.js';

// manifold's own sorted merge writes batches that mix the workers' records: each record is
// counted for the worker that wrote it. A batch was counted whole for the worker of its last
// record (one worker credited with all 100,000 records, the others with none).

const input = Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join('');

describe("--stats under manifold's sorted merge", () => {
  const cases: [string, string[]][] = [
    ['per-block workers', ['--per-block']],
    ['--retries', ['--retries', '1']],
    ['--merge-memory', ['--merge-memory', '64M']],
  ];
  for (const [name, flags] of cases) {
    it(`${name}: each worker's records out are the records it was given (sort keeps them all)`, async () => {
      const args = [...flags, '--merge', 'sorted', '--block', '100k', '-j', '3', '--stats', '-'];
      const result = await fan([...args, '--', 'sort'], input, C);
      expect(result.exitCode, result.stderr).toBe(0);
      const lines = result.stdout.toString().split('\n');
      expect(lines.slice(0, 3)).toEqual(['1', '10', '100']);
      const stats = statsOf(result);
      expect(stats.workers.filter((w) => w.blocks > 0).length).toBeGreaterThan(1);
      for (const worker of stats.workers) {
        expect([worker.worker, worker.recordsOut, worker.bytesOut]).toEqual([
          worker.worker,
          worker.recordsIn,
          worker.bytesIn,
        ]);
      }
      expect(stats.totals).toMatchObject({ recordsOut: 100_000, bytesOut: input.length });
    });
  }
});
