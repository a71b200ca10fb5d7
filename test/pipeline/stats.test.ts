import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir as makeTempDir, writeConfig } from './folders.js';

// `run --stats` measures the processes that do a stage's work, not the shell that starts them.

const tempDir = () => makeTempDir('manifold-pipe-stats-');

interface Stats {
  stages: { stage: string; cpuMs: number; bytesRead: number; bytesWritten: number }[];
  edges: { from: string; to: string; bytes: number; records?: number }[];
}

const lines = (count: number) => Array.from({ length: count }, (_, i) => `${i + 1}\n`).join('');

async function runStats(dir: string, config: string, input: string) {
  const file = writeConfig(dir, config);
  const result = await run(manifold, ['run', file, '--stats', '-'], input, {
    cwd: dir,
    timeout: 60_000,
  });
  const at = result.stderr.indexOf('{');
  return {
    exitCode: result.exitCode,
    before: result.stderr.slice(0, at),
    stdout: result.stdout.toString(),
    stats: JSON.parse(result.stderr.slice(at)) as Stats,
  };
}

describe('--stats of string stages', () => {
  it("counts the CPU time of a shell string's command (awk), not the shell's", async () => {
    const dir = tempDir();
    const awk = "awk 'BEGIN { for (i = 0; i < 20000000; i++) s += i } { print } END { print s }'";
    const { exitCode, before, stats } = await runStats(
      dir,
      `stages:\n  - name: work\n    run: "${awk.replace(/"/g, '\\"')}"\n  - run: [wc, -l]\n`,
      lines(10),
    );
    expect({ exitCode, before }).toEqual({ exitCode: 0, before: '' });
    expect(stats.stages[0]!.stage).toBe('work');
    expect(stats.stages[0]!.cpuMs).toBeGreaterThan(0);
  });

  it("gives a fan's output edge the bytes and records it wrote", async () => {
    const dir = tempDir();
    const input = lines(100_000);
    const { exitCode, before, stdout, stats } = await runStats(
      dir,
      [
        'stages:',
        '  - name: fan',
        '    fan:',
        '      workers: 2',
        `      worker: "awk '{ print $1 }'"`,
        '  - name: count',
        '    run: [wc, -c]',
        '',
      ].join('\n'),
      input,
    );
    expect({ exitCode, before, stdout }).toEqual({
      exitCode: 0,
      before: '',
      stdout: `${input.length}\n`,
    });
    expect(stats.edges).toEqual([
      expect.objectContaining({ from: 'fan', to: 'count', bytes: input.length, records: 100_000 }),
    ]);
    expect(stats.stages[0]!.bytesRead).toBe(input.length);
  });
});
