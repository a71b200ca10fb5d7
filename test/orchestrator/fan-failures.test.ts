import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { differences, SAME } from '../support/diff.js';
import { exitsOf, readStats } from '../support/fan-run.js';
import { escapeRegExp, linesOf, record, records, recordText } from '../support/lines.js';
import { leftovers, pidDir, pidsIn, tracked } from '../support/proc.js';
import { watch } from '../support/spawn.js';
import { tempDir as makeTempDir } from '../support/temp.js';

// The failure handling of `manifold fan`, on real processes: a worker that fails, is tried
// again, exits early or cannot be started. Most inputs are 16-byte numbered lines, so that with
// --block 1K block k holds exactly the records 64(k-1)+1 to 64k.

const tempDir = () => makeTempDir('manifold-fan-failures-');

describe('a worker that fails, without retries', () => {
  it('--halt now (the default) stops the other workers, exits 1 and names the block and records', async () => {
    const pids = pidDir();
    const stats = join(tempDir(), 'stats.json');
    // Worker 1 gets block 1 and dies on its record 40, once worker 2 has recorded its pid
    // (starts are asynchronous); worker 2 gets block 2 and then waits forever: the run can only
    // end by manifold stopping it.
    const args = [fixture('fail-on'), recordText(40), '3', 'hang'];
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--per-block', '--block', '1K', '--stats', stats, '--', ...args],
      records(1, 640),
      { env: { MF_PIDS: pids, MF_AWAIT: '2' }, timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    const line = new RegExp(
      `^manifold: worker [12] \\(pid (\\d+): ${escapeRegExp(args.join(' '))}\\) exited with status 3 on block 1 \\(records 1-64\\)\\n$`,
    );
    expect(result.stderr).toMatch(line);
    const pid = Number(line.exec(result.stderr)![1]);

    const summary = readStats(stats);
    expect(summary.status).toBe(1);
    expect(exitsOf(summary)).toContainEqual({ pid, exitCode: 3, signal: null });
    // The worker that hung was stopped by manifold, and --stats says how.
    expect(exitsOf(summary)).toContainEqual(expect.objectContaining({ signal: 'SIGTERM' }));
    // Workers are manifold's own children: gone, and reaped, by the time it exits.
    expect(pidsIn(pids).length).toBeGreaterThanOrEqual(2);
    expect(await leftovers(tracked(pidsIn(pids)), 0)).toEqual([]);
  });

  it('stops a persistent worker too, and says which blocks the failed one had been given', async () => {
    // Persistent workers (the default): the one given record 200 dies; the other waits forever
    // at the end of its input, so only manifold stopping it ends the run. The one that dies
    // waits for the other to have started (MF_AWAIT): with 1 MiB pipes the first worker can
    // take every block before the second runs, and once recorded 1 pid of 2 in a full run.
    const pids = pidDir();
    const args = [fixture('fail-on'), recordText(200), '3', 'hang'];
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '1K', '--', ...args],
      records(1, 640),
      { env: { MF_PIDS: pids, MF_AWAIT: '2' }, timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    const match = new RegExp(
      `^manifold: worker [12] \\(pid \\d+: ${escapeRegExp(args.join(' '))}\\) exited with status 3; it had been given (.+)\\n$`,
    ).exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    // Without attribution manifold cannot know which block failed: the line gives the first and
    // the latest block given, `block 2 (bytes 1025-2048)` or `3 blocks, from block 2 (...) to
    // ...`: by their bytes, as nothing here counts the records of the input.
    const given = match![1]!;
    expect(given).toMatch(/^(block \d+ \(bytes \d+-\d+\)|\d+ blocks, from block .+ to block .+)$/);
    const blocks = [...given.matchAll(/block (\d+) \(bytes (\d+)-(\d+)\)/g)].map((m) =>
      m.slice(1).map(Number),
    );
    expect(blocks.length).toBeGreaterThan(0);
    for (const [block = 0, first, last] of blocks) {
      expect({ first, last }).toEqual({ first: 1024 * (block - 1) + 1, last: 1024 * block });
    }
    // Record 200 (bytes 3185-3200) is in block 4, which the worker had been given.
    expect(blocks[0]![0]!).toBeLessThanOrEqual(4);
    expect(blocks.at(-1)![0]!).toBeGreaterThanOrEqual(4);
    expect(pidsIn(pids)).toHaveLength(2);
    expect(await leftovers(tracked(pidsIn(pids)), 0)).toEqual([]);
  });

  it('--halt never finishes the other blocks, writes all their output, and exits 1 at the end', async () => {
    const args = [fixture('fail-on'), recordText(150), '3'];
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--per-block', '--halt', 'never', '--block', '1K', '--', ...args],
      records(1, 640),
      { timeout: 20_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: worker [12] \\(pid \\d+: ${escapeRegExp(args.join(' '))}\\) exited with status 3 on block 3 \\(records 129-192\\)\\n$`,
      ),
    );
    // Block 3 wrote records 129-149 before it died (passed on as they came, without retries);
    // from record 150 on it wrote nothing. Every other block is complete, once.
    const lines = linesOf(result.stdout);
    const failed = new Set(linesOf(records(129, 192)));
    const partial = new Set(linesOf(records(129, 149)));
    const healthy = lines.filter((line) => !partial.has(line));
    const expected = linesOf(records(1, 640)).filter((line) => !failed.has(line));
    expect(differences(healthy, expected)).toEqual(SAME);
  });

  it('names the signal that killed a worker, in the line and in --stats', async () => {
    const stats = join(tempDir(), 'stats.json');
    const args = [fixture('fail-on'), recordText(100), 'KILL'];
    const result = await run(
      manifold,
      ['fan', '-j', '1', '--per-block', '--block', '1K', '--stats', stats, '--', ...args],
      records(1, 256),
    );
    expect(result.exitCode).toBe(1);
    const line = new RegExp(
      `^manifold: worker 1 \\(pid (\\d+): ${escapeRegExp(args.join(' '))}\\) was killed by SIGKILL on block 2 \\(records 65-128\\)\\n$`,
    );
    expect(result.stderr).toMatch(line);
    const pid = Number(line.exec(result.stderr)![1]);
    const summary = readStats(stats);
    expect(summary.status).toBe(1);
    expect(exitsOf(summary)).toEqual([
      { pid: expect.any(Number), exitCode: 0, signal: null },
      { pid, exitCode: null, signal: 'SIGKILL' },
    ]);
  });
});

describe('per-block workers, the setting of the failure tests, without any failure', () => {
  // A baseline: if this fails, the gaps in the tests of failures are not the failures' doing.
  it.each([1, 2])('write the output of every block to a pipe (-j %i)', async (workers) => {
    const input = records(1, 2000);
    const result = await run(
      manifold,
      ['fan', '-j', String(workers), '--per-block', '--block', '1K', '--', 'cat'],
      input,
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    expect(differences(linesOf(result.stdout), linesOf(input))).toEqual(SAME);
  });
});

describe('retries: a worker that crashes half-way through a block the first time', () => {
  // 1536 records of 16 KiB: 4 blocks of 384 records with --block 6M. Records 300 (block 1) and
  // 1100 (block 3) start with "!": the fail-flaky fixtures die by SIGKILL the first time they
  // meet one, after writing the output before it (more than 4 MiB of it for the SDK filter).
  const flakyInput = (triggers: number[]) =>
    Array.from({ length: 1536 }, (_, i) => {
      const head = `${triggers.includes(i + 1) ? '!' : 'r'}${String(i + 1).padStart(8, '0')} `;
      return `${head}${'x'.repeat(16383 - head.length)}\n`;
    }).join('');
  const input = flakyInput([300, 1100]);
  const expected = linesOf(input).map((line) => `ok ${line}\n`);
  const modes = [
    { name: '--retries 2 (per-block workers)', args: [], worker: 'fail-flaky.js' },
    { name: '--one-to-one --retries 2', args: ['--one-to-one'], worker: 'fail-flaky.js' },
    {
      name: '--protocol manifold --retries 2',
      args: ['--protocol', 'manifold'],
      worker: 'fail-flaky-sdk.js',
    },
  ];

  describe.each(modes)('$name', ({ args, worker }) => {
    it.each(['ordered', 'ready'])(
      'writes every record exactly once (--merge %s)',
      async (merge) => {
        const flaky = tempDir();
        const result = await run(
          manifold,
          ['fan', '-j', '2', '--block', '6M', '--merge', merge, '--retries', '2', ...args].concat([
            '--',
            fixture(worker),
          ]),
          input,
          { env: { FLAKY_DIR: flaky }, timeout: 25_000 },
        );
        // Both crashes happened, once each.
        expect(readFileSync(join(flaky, 'deaths'), 'latin1')).toMatch(
          /^(!00000300\n!00001100\n|!00001100\n!00000300\n)$/,
        );
        expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
          exitCode: 0,
          stderr: '',
        });
        const lines = linesOf(result.stdout).map((line) => `${line}\n`);
        expect(differences(lines, expected)).toEqual(SAME);
        if (merge === 'ordered') expect(result.stdout.toString('latin1')).toBe(expected.join(''));
      },
    );
  });

  it.each(['ordered', 'ready'])(
    'runs again every block a persistent worker had in flight, once all input is read (--merge %s)',
    async (merge) => {
      // 128 records in two 1M blocks: the one worker has both when it dies on record 10, and
      // the input has been read to its end.
      const flaky = tempDir();
      const small = flakyInput([10]).slice(0, 128 * 16384);
      const result = await run(
        manifold,
        ['fan', '-j', '1', '--block', '1M', '--merge', merge, '--retries', '2'].concat([
          '--protocol',
          'manifold',
          '--',
          fixture('fail-flaky-sdk.js'),
        ]),
        small,
        { env: { FLAKY_DIR: flaky }, timeout: 25_000 },
      );
      expect(readFileSync(join(flaky, 'deaths'), 'latin1')).toBe('!00000010\n');
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 0,
        stderr: '',
      });
      const want = linesOf(small).map((line) => `ok ${line}\n`);
      const lines = linesOf(result.stdout).map((line) => `${line}\n`);
      expect(differences(lines, want)).toEqual(SAME);
    },
  );

  it('exits 1 with the line when a block fails on every try, after trying it 1 + n times', async () => {
    const flaky = tempDir();
    const command = fixture('fail-flaky.js');
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '6M', '--retries', '2', '--', command],
      flakyInput([1100]),
      { env: { FLAKY_DIR: flaky, FLAKY_ALWAYS: '1' }, timeout: 25_000 },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: worker [12] \\(pid \\d+: ${escapeRegExp(command)}\\) was killed by SIGKILL on block 3 \\(records 769-1152\\); tried 3 times\\n$`,
      ),
    );
    expect(readFileSync(join(flaky, 'deaths'), 'latin1')).toBe('!00001100\n'.repeat(3));
  });
});

describe('a command that cannot be started', () => {
  it('is one line and exit 127, without reading an endless input', async () => {
    const script = `yes | ${manifold} fan -- mf-no-such-command; echo "\${PIPESTATUS[1]}"`;
    const result = await run('bash', ['-c', script], '', { timeout: 10_000 });
    expect({ stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      stdout: '127\n',
      stderr: 'manifold: mf-no-such-command: command not found\n',
    });
  });

  it('is one line and exit 127 for a file that is not executable, or a folder; stdin unread', async () => {
    const dir = tempDir();
    const script = join(dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\ncat\n');
    chmodSync(script, 0o644);
    const input = join(dir, 'input.txt');
    writeFileSync(input, records(1, 1000));
    for (const [command, problem] of [
      [script, 'not executable'],
      [dir, 'is a directory'],
    ]) {
      // stdin is a file we hold open too: manifold reading any of it would move the offset we share.
      const fd = openSync(input, 'r');
      try {
        const child = spawn(manifold, ['fan', '--', command!], { stdio: [fd, 'ignore', 'pipe'] });
        const stderr = watch(child.stderr!);
        const [exitCode] = await once(child, 'close');
        expect({ exitCode, stderr: stderr.text }).toEqual({
          exitCode: 127,
          stderr: `manifold: ${command}: ${problem}\n`,
        });
        expect(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1')).toMatch(/^pos:\s+0$/m);
      } finally {
        closeSync(fd);
      }
    }
  });

  it('exits 127 with one line of its own when a --shell command is not found', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--shell', '--', 'mf-no-such-command --an-option'],
      records(1, 100),
      { timeout: 10_000 },
    );
    expect(result.exitCode).toBe(127);
    // Not by lines: the workers' stderr passes through, and dash says "sh: 1: ", the name and
    // "\n" in three writes, so manifold's line may come in the middle of one of them (seen in CI).
    const own = result.stderr.match(/manifold: [^\n]*/g) ?? [];
    expect(own).toHaveLength(1);
    expect(own[0]).toMatch(
      /^manifold: worker [12] \(pid \d+: mf-no-such-command --an-option\) exited with status 127 \(command not found\)/,
    );
  });
});

describe('a worker that exits 0 early', () => {
  // 64K blocks of 16-byte records: block k starts with record 4096(k-1)+1.
  const input = records(1, 100_000);

  it('(head -1 as a persistent worker) does not hang manifold, which exits 0', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '64K', '--', 'head', '-1'],
      input,
      { timeout: 15_000 },
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    // Each worker wrote the first record of the first block it was given: blocks 1 and 2.
    expect(linesOf(result.stdout).sort()).toEqual([recordText(1), recordText(4097)]);
  });

  it('(head -1 per block) gives the first record of every block, in order, and exit 0', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '64K', '--per-block', '--merge', 'ordered', '--', 'head', '-1'],
      input,
      { timeout: 15_000 },
    );
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    const firsts = Array.from({ length: Math.ceil(100_000 / 4096) }, (_, k) =>
      record(4096 * k + 1),
    );
    expect(result.stdout.toString()).toBe(firsts.join(''));
  });
});
