import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { runConfig } from '../support/pipeline.js';
import { commandOf, descendants, holdsWithin } from '../support/proc.js';
import { spawnManifold, waitForExit } from '../support/spawn.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `run --stats`: every stage with its pids, exit and bytes, the edges between them; it measures
// the processes that do a stage's work, not the shell that starts them.

const tempDir = () => makeTempDir('manifold-pipe-stats-');

interface Stats {
  status: number;
  stages: {
    stage: string;
    command: string;
    pids: number[];
    exitCode: number | null;
    signal: string | null;
    cpuMs: number;
    bytesRead: number;
    bytesWritten: number;
  }[];
  edges: { from: string; to: string; bytes: number; records?: number }[];
}

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
      numbered(1, 10),
    );
    expect({ exitCode, before }).toEqual({ exitCode: 0, before: '' });
    expect(stats.stages[0]!.stage).toBe('work');
    expect(stats.stages[0]!.cpuMs).toBeGreaterThan(0);
  });

  it("gives a fan's output edge the bytes and records it wrote", async () => {
    const dir = tempDir();
    const input = numbered(1, 100_000);
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

  it("gives a fan's input edge the bytes the fan read, not the writer's samples", async () => {
    // `cut` ends within a sample or two: its own bytes, read from /proc every 100 ms, were
    // often a part of what it wrote (a stress run saw 1.06 MB of 1.96 MB on such an edge).
    const dir = tempDir();
    const input = numbered(1, 200_000);
    const { exitCode, before, stats } = await runStats(
      dir,
      [
        'stages:',
        '  - name: cut',
        '    run: [cut, -c1-4]',
        '  - name: fan',
        '    fan: { workers: 2, worker: [cat] }',
        '  - run: [wc, -c]',
        '',
      ].join('\n'),
      input,
    );
    expect({ exitCode, before }).toEqual({ exitCode: 0, before: '' });
    const cut = input
      .split('\n')
      .slice(0, -1)
      .map((line) => `${line.slice(0, 4)}\n`)
      .join('');
    // And its records: those the fan read (they were left out, though the fan counts them: QA).
    expect(stats.edges[0]).toEqual(
      expect.objectContaining({ from: 'cut', to: 'fan', bytes: cut.length, records: 200_000 }),
    );
    expect(stats.stages[1]!.bytesRead).toBe(cut.length);
  });
});

// The copy into the branches and a concat or merge run inside manifold and count their own
// bytes: they said 0, and the edges from the copy into the branches were left out.
describe('--stats of branches', () => {
  it.each(['concat', 'merge'])(
    'gives the copy, the %s and every edge between them the bytes they carried',
    async (combine) => {
      const dir = tempDir();
      const input = numbered(1, 100_000);
      const sevens = input.split('\n').filter((line) => line.includes('7'));
      const a = sevens.map((line) => `${line}\n`).join('').length;
      const { exitCode, before, stdout, stats } = await runStats(
        dir,
        [
          'stages:',
          '  - name: sets',
          '    branches:',
          '      a:',
          '        - run: [grep, "7"]',
          '      b:',
          '        - run: [cat]',
          `    combine: ${combine}`,
          '  - name: count',
          '    run: [wc, -c]',
          '',
        ].join('\n'),
        input,
      );
      const out = a + input.length;
      expect({ exitCode, before, stdout }).toEqual({ exitCode: 0, before: '', stdout: `${out}\n` });
      const bytes = ({ stage, bytesRead, bytesWritten }: Stats['stages'][number]) => ({
        stage,
        bytesRead,
        bytesWritten,
      });
      expect([stats.stages[0]!, stats.stages[3]!].map(bytes)).toEqual([
        { stage: 'sets', bytesRead: input.length, bytesWritten: 2 * input.length },
        { stage: `sets.${combine}`, bytesRead: out, bytesWritten: out },
      ]);
      expect(stats.edges.map(({ from, to, bytes }) => ({ from, to, bytes }))).toEqual([
        { from: 'sets', to: 'stages[0].branches.a[0]', bytes: input.length },
        { from: 'sets', to: 'stages[0].branches.b[0]', bytes: input.length },
        { from: 'stages[0].branches.a[0]', to: `sets.${combine}`, bytes: a },
        { from: 'stages[0].branches.b[0]', to: `sets.${combine}`, bytes: input.length },
        { from: `sets.${combine}`, to: 'count', bytes: out },
      ]);
    },
  );
});

describe('--stats', () => {
  const statsConfig = (dir: string) =>
    writeConfig(
      dir,
      [
        'input: big.bin',
        'stages:',
        '  - name: first',
        '    run: echo $$ > first.pid; exec cat',
        '  - run: [cat]',
        '  - name: count',
        '    run: wc -c',
        '',
      ].join('\n'),
    );
  const bigInput = (dir: string) => writeFileSync(join(dir, 'big.bin'), Buffer.alloc(10e6, 'z'));

  it('- writes JSON on stderr: every stage with its pids and exit, and the edges', async () => {
    const dir = tempDir();
    bigInput(dir);
    const result = await runConfig(statsConfig(dir), '', { args: ['--stats', '-'] });
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: '10000000\n',
    });
    const stats = JSON.parse(result.stderr) as Stats;
    expect(stats.status).toBe(0);
    expect(
      stats.stages.map(({ stage, exitCode, signal }) => ({ stage, exitCode, signal })),
    ).toEqual(
      ['first', 'stages[1]', 'count'].map((stage) => ({ stage, exitCode: 0, signal: null })),
    );
    expect(stats.stages[0]!.pids).toEqual([Number(readFileSync(join(dir, 'first.pid'), 'utf8'))]);
    for (const stage of stats.stages) expect(stage.pids).toEqual([expect.any(Number)]);
    expect(stats.edges.map(({ from, to }) => ({ from, to }))).toEqual([
      { from: 'first', to: 'stages[1]' },
      { from: 'stages[1]', to: 'count' },
    ]);
  });

  it('counts the bytes of stages that moved 10 MB', async () => {
    // Byte counts are sampled from /proc every 100 ms: the first stage paces 10 MB over about
    // a second (timers for pacing, not for synchronisation), so every stage lives to be sampled.
    const dir = tempDir();
    const pace =
      "let n = 0; const t = setInterval(() => { process.stdout.write(Buffer.alloc(500000, 'z')); if (++n === 20) clearInterval(t); }, 50);";
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - name: first',
        `    run: [node, -e, "${pace}"]`,
        '  - run: [cat]',
        '  - name: count',
        '    run: [wc, -c]',
        '',
      ].join('\n'),
    );
    const result = await runConfig(config, '', { args: ['--stats', '-'] });
    expect(result.exitCode).toBe(0);
    const stats = JSON.parse(result.stderr) as Stats;
    const moved = stats.stages.map(({ stage, bytesRead, bytesWritten }) => ({
      stage,
      read: bytesRead > 0,
      written: bytesWritten > 0,
    }));
    expect(moved).toEqual([
      { stage: 'first', read: true, written: true },
      { stage: 'stages[1]', read: true, written: true },
      { stage: 'count', read: true, written: true },
    ]);
    for (const edge of stats.edges) expect(edge.bytes).toBeGreaterThan(0);
  });

  it('<file> writes the file, with the failing stage and the status', async () => {
    const dir = tempDir();
    const file = join(dir, 'stats.json');
    const config = writeConfig(dir, 'stages:\n  - run: "true"\n  - name: bad\n    run: exit 3\n');
    const result = await runConfig(config, '', { args: ['--stats', file] });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('manifold: stage bad (exit 3) exited with status 3\n');
    const stats = JSON.parse(readFileSync(file, 'utf8')) as Stats;
    expect(stats.status).toBe(1);
    expect(stats.stages.map(({ stage, exitCode }) => ({ stage, exitCode }))).toEqual([
      { stage: 'stages[0]', exitCode: 0 },
      { stage: 'bad', exitCode: 3 },
    ]);
  });

  // Written for a run its reader left, or a signal stopped, with the status it ends with, as a
  // fan's --stats is: the file was left empty (0 bytes, no JSON).
  it("<file> is written when the output's reader goes: status 141", async () => {
    const dir = tempDir();
    const file = join(dir, 'stats.json');
    const config = writeConfig(dir, 'stages:\n  - run: "yes"\n');
    const line = `node ${manifold} run --stats "$1" "$2" | head -1 >/dev/null; echo \${PIPESTATUS[0]}`;
    const result = await execa('bash', ['-c', line, 'bash', file, config]);
    expect(result.stdout).toBe('141');
    const stats = JSON.parse(readFileSync(file, 'utf8')) as Stats;
    expect(stats.status).toBe(141);
    expect(stats.stages[0]!.stage).toBe('stages[0]');
  });

  it('<file> is written when a signal stops the run: status 143', async () => {
    const dir = tempDir();
    const file = join(dir, 'stats.json');
    const config = writeConfig(dir, 'stages:\n  - run: "yes"\n  - run: "wc -l"\n');
    const child = spawnManifold(['run', '--stats', file, config]);
    // Stopped once its stages run: `yes` is among manifold's processes.
    const running = () => descendants(child.pid!).some((pid) => commandOf(pid).startsWith('yes'));
    expect(await holdsWithin(running, 20_000)).toBe(true);
    child.kill('SIGTERM');
    expect((await waitForExit(child)).exitCode).toBe(143);
    const stats = JSON.parse(readFileSync(file, 'utf8')) as Stats;
    expect(stats.status).toBe(143);
    expect(stats.stages.map(({ stage }) => stage)).toEqual(['stages[0]', 'stages[1]']);
  });

  it('<file> that cannot be written (a full disk) fails the run with one line naming it', async () => {
    // It was Node's own words, "manifold: Error: ENOSPC: no space left on device, write".
    const config = writeConfig(tempDir(), 'stages:\n  - run: cat\n');
    const result = await runConfig(config, 'a\n', { args: ['--stats', '/dev/full'] });
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 1,
      stderr:
        'manifold: cannot write the --stats file /dev/full: no space left on device (ENOSPC)\n',
    });
    expect(result.stdout.toString()).toBe('a\n');
  });
});
