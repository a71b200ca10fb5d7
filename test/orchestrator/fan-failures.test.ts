import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { fixture, manifold, run } from '../helpers.js';
import {
  descendants,
  holdsWithin,
  killQuietly,
  leftovers,
  type Proc,
  pidsIn,
  statOf,
  writingIntoFullPipe,
} from '../support/proc.js';

// The failure handling and Unix manners of `manifold fan`, on real processes, pipes and signals.
// Most inputs are 16-byte numbered lines, so that with --block 1K block k holds exactly the
// records 64(k-1)+1 to 64k, whichever way the splitter rounds.

const record = (n: number) => `${String(n).padStart(15, '0')}\n`;
const recordText = (n: number) => record(n).slice(0, -1);
const records = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => record(from + i)).join('');
const linesOf = (text: string | Buffer) => text.toString().split('\n').slice(0, -1);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** How two lists of lines differ, as a multiset: what is missing, what is extra or doubled. */
function differences(actual: string[], expected: string[]): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const line of expected) counts.set(line, (counts.get(line) ?? 0) + 1);
  const extra: string[] = [];
  for (const line of actual) {
    const left = counts.get(line) ?? 0;
    if (left === 0) extra.push(line);
    else counts.set(line, left - 1);
  }
  const missing = [...counts].flatMap(([line, n]) => Array<string>(n).fill(line));
  return { missing: summary(missing), extra: summary(extra) };
}

/** A few words on a list of lines: how many, the first and last in byte order, cut short. */
function summary(lines: string[]): string[] {
  if (lines.length === 0) return [];
  const sorted = [...lines].sort();
  const short = (line: string) => line.slice(0, 24);
  return [`${lines.length} lines, "${short(sorted[0]!)}" to "${short(sorted.at(-1)!)}"`];
}

// Temporary folders and processes to clean up whatever a test's outcome.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-fan-failures-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A folder where fixtures record their pids (MF_PIDS); leftovers are killed after the test. */
function pidDir(): string {
  const dir = join(tempDir(), 'pids');
  mkdirSync(dir);
  cleanups.push(() => {
    for (const pid of pidsIn(dir)) killQuietly(pid);
  });
  return dir;
}

function spawnManifold(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(manifold, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  cleanups.push(() => {
    child.stdin?.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

function track(pid: number): Proc | null {
  const stat = statOf(pid);
  if (stat === null) return null;
  cleanups.push(() => {
    if (statOf(pid)?.start === stat.start) killQuietly(pid);
  });
  return { pid, start: stat.start };
}

const tracked = (pids: number[]) => pids.map(track).filter((proc) => proc !== null);

/** `promise`, or a failure saying `what` when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A child's stream as text, with a way to wait for lines that match. */
function watch(stream: Readable) {
  let text = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    for (const check of [...waiters]) check();
  });
  stream.on('end', () => {
    ended = true;
    for (const check of [...waiters]) check();
  });
  return {
    get text() {
      return text;
    },
    /** Resolves with the first `count` whole lines matching `pattern`; rejects at the end first. */
    waitFor(pattern: RegExp, count: number): Promise<string[]> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matches = linesOf(text).filter((line) => pattern.test(line));
          if (matches.length >= count) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(matches.slice(0, count));
          } else if (ended) {
            waiters.splice(waiters.indexOf(check), 1);
            reject(new Error(`the stream ended before ${count} lines like ${pattern}:\n${text}`));
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

interface StatsFile {
  status: number;
  workers: {
    worker: number;
    pids: number[];
    exits: { pid: number; exitCode: number | null; signal: string | null }[];
  }[];
}

const readStats = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as StatsFile;
const exitsOf = (stats: StatsFile) => stats.workers.flatMap((worker) => worker.exits);

describe('a worker that fails, without retries', () => {
  it('--halt now (the default) stops the other workers, exits 1 and names the block and records', async () => {
    const pids = pidDir();
    const stats = join(tempDir(), 'stats.json');
    // Worker 1 gets block 1 and dies on its record 40; worker 2 gets block 2 and then waits
    // forever: the run can only end by manifold stopping it.
    const args = [fixture('fail-on'), recordText(40), '3', 'hang'];
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--per-block', '--block', '1K', '--stats', stats, '--', ...args],
      records(1, 640),
      { env: { MF_PIDS: pids }, timeout: 20_000 },
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
    // at the end of its input, so only manifold stopping it ends the run.
    const pids = pidDir();
    const args = [fixture('fail-on'), recordText(200), '3', 'hang'];
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '1K', '--', ...args],
      records(1, 640),
      {
        env: { MF_PIDS: pids },
        timeout: 20_000,
      },
    );
    expect(result.exitCode).toBe(1);
    const match = new RegExp(
      `^manifold: worker [12] \\(pid \\d+: ${escapeRegExp(args.join(' '))}\\) exited with status 3; it had been given (.+)\\n$`,
    ).exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    // Without attribution manifold cannot know which block failed: the line gives the first and
    // the latest block given, `block 2 (records 65-128)` or `3 blocks, from block 2 (...) to ...`.
    const given = match![1]!;
    expect(given).toMatch(
      /^(block \d+ \(records \d+-\d+\)|\d+ blocks, from block .+ to block .+)$/,
    );
    const blocks = [...given.matchAll(/block (\d+) \(records (\d+)-(\d+)\)/g)].map((m) =>
      m.slice(1).map(Number),
    );
    for (const [block = 0, first, last] of blocks) {
      expect({ first, last }).toEqual({ first: 64 * (block - 1) + 1, last: 64 * block });
    }
    // Record 200 is in block 4, which the worker had been given.
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
    expect(differences(healthy, expected)).toEqual({ missing: [], extra: [] });
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
    expect(differences(linesOf(result.stdout), linesOf(input))).toEqual({ missing: [], extra: [] });
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
        expect(differences(lines, expected)).toEqual({ missing: [], extra: [] });
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
      expect(differences(lines, want)).toEqual({ missing: [], extra: [] });
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
        `^manifold: worker [12] \\(pid \\d+: ${escapeRegExp(command)}\\) was killed by SIGKILL on block 3 \\(records 769-1152\\)\\n$`,
      ),
    );
    expect(readFileSync(join(flaky, 'deaths'), 'latin1')).toBe('!00001100\n'.repeat(3));
  });
});

describe('signals', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    'on %s stops every worker and what it started, then exits %i',
    async (signal, status) => {
      // Each worker is a shell running a pipeline: sh, cat and sig-hang (which waits forever).
      const child = spawnManifold([
        'fan',
        '-j',
        '2',
        '--shell',
        '--',
        `cat | ${fixture('sig-hang')}`,
      ]);
      const stderr = watch(child.stderr!);
      child.stdin!.write(records(1, 100)); // and stdin stays open: input is still coming
      await stderr.waitFor(/^sig-hang: ready \d+$/, 2);
      const family = tracked(descendants(child.pid!));
      expect(family.length).toBeGreaterThanOrEqual(6);

      child.kill(signal);
      const [code, killedBy] = await within(once(child, 'exit'), 10_000, () => {
        const running = family.filter(({ pid, start }) => statOf(pid)?.start === start);
        return `manifold did not exit within 10 s of ${signal}; still there: ${running.map((p) => p.pid)}`;
      });
      expect({ code, killedBy }).toEqual({ code: status, killedBy: null });
      // The shells are reaped by manifold. What they started got the signal with them (their
      // process group) and is reaped by init once orphaned, which can take a second or two.
      expect(await leftovers(family, 5000)).toEqual([]);
      expect(stderr.text).not.toMatch(/^manifold:/m);
    },
  );

  it('on SIGKILL of manifold, its workers see the end of their input and exit', async () => {
    const child = spawnManifold(['fan', '-j', '2', '--', fixture('sig-cat')], { MF_ANNOUNCE: '1' });
    const stderr = watch(child.stderr!);
    child.stdin!.write(records(1, 100));
    const ready = await stderr.waitFor(/^sig-cat: ready \d+$/, 2);
    const workers = tracked(ready.map((line) => Number(line.split(' ').pop())));
    expect(workers).toHaveLength(2);

    child.kill('SIGKILL');
    const [, killedBy] = await once(child, 'exit');
    expect(killedBy).toBe('SIGKILL');
    expect(await leftovers(workers, 10_000)).toEqual([]);
  });
  it('on SIGTERM while blocked writing to a pipe nobody reads, dies of it at once', async () => {
    // A shell's `manifold fan ... | less`, then Ctrl-C: less waits for a key, reading nothing.
    // A kernel pipe as `manifold run` makes them: this process keeps its read end, unread.
    const pipe = openPipes(1)[0]!;
    cleanups.push(() => closeAll([pipe.read]));
    const yes = spawn('yes', [], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => yes.kill('SIGKILL'));
    const child = spawn(manifold, ['fan', '-j', '2', '--', fixture('sig-cat')], {
      stdio: [yes.stdout!, pipe.write, 'pipe'],
      env: { ...process.env, MF_ANNOUNCE: '1' },
    });
    cleanups.push(() => child.kill('SIGKILL'));
    yes.stdout!.destroy();
    closeSync(pipe.write);
    const stderr = watch(child.stderr!);
    const ready = await stderr.waitFor(/^sig-cat: ready \d+$/, 2);
    const workers = tracked(ready.map((line) => Number(line.split(' ').pop())));
    const blocked = await holdsWithin(() => writingIntoFullPipe(child.pid!), 10_000);
    expect(blocked, 'manifold blocked writing its stdout within 10 s').toBe(true);

    child.kill('SIGTERM');
    const [code, signal] = await within(
      once(child, 'exit'),
      10_000,
      () => 'manifold is still there',
    );
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(await leftovers(workers, 5000)).toEqual([]);
    expect(stderr.text).not.toMatch(/^manifold:/m);
  });
});

describe('downstream closes', () => {
  it('ends quietly, killed by SIGPIPE, with no worker left over', async () => {
    const pids = pidDir();
    const script = `yes | ${manifold} fan -j 2 -- ${fixture('sig-cat')} | head -1; echo "\${PIPESTATUS[1]}"`;
    const result = await run('bash', ['-c', script], '', {
      env: { MF_PIDS: pids },
      timeout: 20_000,
    });
    expect({ stdout: result.stdout.toString(), stderr: result.stderr }).toEqual({
      stdout: 'y\n141\n',
      stderr: '',
    });
    expect(pidsIn(pids)).toHaveLength(2);
    expect(await leftovers(tracked(pidsIn(pids)), 0)).toEqual([]);
  });

  it('dies of SIGPIPE itself, rather than exiting with status 141', async () => {
    // The same pipeline, built here, so that manifold's own end can be seen: a shell shows both
    // as 141.
    const yes = spawn('yes', [], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => yes.kill('SIGKILL'));
    const child = spawn(manifold, ['fan', '-j', '2', '--', 'cat'], {
      stdio: [yes.stdout!, 'pipe', 'pipe'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    yes.stdout!.destroy();
    const head = spawn('head', ['-1'], { stdio: [child.stdout!, 'pipe', 'inherit'] });
    child.stdout!.destroy();
    const stderr = watch(child.stderr!);
    const firstLine = watch(head.stdout!);
    const [[code, signal]] = await Promise.all([once(child, 'close'), once(head, 'close')]);
    expect({ code, signal, stderr: stderr.text, head: firstLine.text }).toEqual({
      code: null,
      signal: 'SIGPIPE',
      stderr: '',
      head: 'y\n',
    });
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
    const own = result.stderr.split('\n').filter((line) => line.startsWith('manifold:'));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatch(
      /^manifold: worker [12] \(pid \d+: mf-no-such-command --an-option\) exited with status 127 \(command not found\)/,
    );
  });
});

describe('stdin is a terminal', () => {
  const hasScript = ['/usr/bin/script', '/bin/script'].some((path) => existsSync(path));

  it('is refused with a hint, exit 2', async (context) => {
    if (!hasScript)
      context.skip('util-linux `script` is not installed: no way to give manifold a tty');
    const result = await execa('script', ['-qec', `${manifold} fan -- cat`, '/dev/null'], {
      reject: false,
      timeout: 10_000,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stdout.trim()).toMatch(
      /^manifold: stdin is a terminal: pipe data in .* or name files with --input$/,
    );
  });
});

describe('a slow reader of stdout', () => {
  // A socket pair is what a Node parent gives; a kernel pipe what a shell gives, and manifold
  // writes it from the thread pool; should the pipe be non-blocking (another process sharing it
  // set O_NONBLOCK), those writes fail with EAGAIN and a libuv stream takes over.
  it.each([
    ['a socket pair', 'socket'],
    ['a kernel pipe', 'pipe'],
    ['a non-blocking kernel pipe', 'non-blocking pipe'],
  ] as const)(
    'on %s keeps manifold under 200 MB while 300 MB go through, and gets all of it',
    async (_, kind) => {
      const megabytes = 300;
      const total = megabytes * 1024 * 1024;
      const flood = spawn(fixture('sig-flood.js'), [String(megabytes)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      cleanups.push(() => flood.kill('SIGKILL'));
      // A kernel pipe as `manifold run` makes them; its read end becomes the stream read below.
      const pipe = kind === 'socket' ? null : openPipes(1)[0]!;
      const command = [manifold, 'fan', '-j', '2', '--', 'cat'];
      // The fixture execs manifold, which keeps its pid: the peak below is manifold's.
      if (kind === 'non-blocking pipe') command.unshift(fixture('nonblocking-stdout'));
      const child = spawn(command[0]!, command.slice(1), {
        stdio: [flood.stdout!, pipe?.write ?? 'pipe', 'pipe'],
      });
      cleanups.push(() => child.kill('SIGKILL'));
      flood.stdout!.destroy(); // manifold has its own copy; this process must not read it
      if (pipe !== null) closeSync(pipe.write); // nor keep the pipe open: its end comes with manifold's
      const stderr = watch(child.stderr!);
      const exited = once(child, 'exit');

      const peakOf = (pid: number) => {
        try {
          const status = readFileSync(`/proc/${pid}/status`, 'latin1');
          return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
        } catch {
          return null; // gone already
        }
      };
      let peak: number | null = null;
      let bytes = 0;
      let count = 0;
      let sum = 0;
      let malformed = 0;
      let carry = Buffer.alloc(0);
      let nextSample = 0;
      const stdout = pipe === null ? child.stdout! : new Socket({ fd: pipe.read, writable: false });
      cleanups.push(() => stdout.destroy());
      const ended = once(stdout, 'end');
      stdout.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
        const whole = data.length - (data.length % 16);
        for (let at = 0; at < whole; at += 16) {
          let n = 0;
          for (let i = at; i < at + 15; i++) n = n * 10 + data[i]! - 48;
          if (data[at + 15] !== 10) malformed++;
          sum += n;
          count++;
        }
        carry = Buffer.from(data.subarray(whole));
        // VmHWM is the peak so far; the last look is taken with the last MiBs still unwritten,
        // so manifold is still running then.
        if (bytes >= nextSample || bytes >= total - 2 * 1024 * 1024) {
          peak = peakOf(child.pid!) ?? peak;
          nextSample = bytes + 16 * 1024 * 1024;
        }
        // A slow reader: a pause after every read. (Pacing, not synchronisation.)
        stdout.pause();
        setTimeout(() => stdout.resume(), 2);
      });
      const [[code]] = await Promise.all([exited, ended]);

      expect({ code, stderr: stderr.text }).toEqual({ code: 0, stderr: '' });
      const lines = total / 16;
      expect({ bytes, count, sum, malformed, carry: carry.length }).toEqual({
        bytes: total,
        count: lines,
        sum: (lines * (lines + 1)) / 2,
        malformed: 0,
        carry: 0,
      });
      expect(peak).not.toBeNull();
      expect(peak!).toBeLessThan(200 * 1024 * 1024);
    },
    40_000,
  );
});

describe("workers' stderr", () => {
  const input = records(1, 200);

  it('passes through unchanged without --tag', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '256', '--', fixture('sig-stderr')],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(linesOf(result.stdout).sort()).toEqual(linesOf(input));
    expect(linesOf(result.stderr).sort()).toEqual(linesOf(input).map((l) => `sig-stderr: ${l}`));
  });

  it('is prefixed with the worker number and a TAB under --tag, as the output is', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '256', '--tag', '--', fixture('sig-stderr')],
      input,
    );
    expect(result.exitCode).toBe(0);
    const byWorker = (lines: string[], pattern: RegExp) =>
      new Map(
        lines.map((line) => {
          const match = pattern.exec(line);
          expect(match, line).not.toBeNull();
          return [match![2]!, match![1]!] as const;
        }),
      );
    const out = byWorker(linesOf(result.stdout), /^([12])\t(\d{15})$/);
    const err = byWorker(linesOf(result.stderr), /^([12])\tsig-stderr: (\d{15})$/);
    expect([...out.keys()].sort()).toEqual(linesOf(input));
    expect(new Set(out.values())).toEqual(new Set(['1', '2']));
    // Each line is said on stderr with the number of the worker that wrote it on stdout.
    expect(err).toEqual(out);
    expect(linesOf(result.stderr)).toHaveLength(200);
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
