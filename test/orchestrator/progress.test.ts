import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseFraming } from '../../filters/index.js';
import { inputSize } from '../../orchestrator/fan/input-fd.js';
import { Progress } from '../../orchestrator/fan/progress.js';
import { Stats } from '../../orchestrator/fan/stats.js';
import type { Worker } from '../../orchestrator/workers/types.js';
import { manifold, root } from '../helpers.js';
import { releaseFifo } from '../support/fifo.js';
import { holdsWithin, killFamily } from '../support/proc.js';
import { waitForExit, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

const worker = (slot: number, backlog: number) =>
  ({ slot, backlog, pids: [], ended: false, processIds: () => [] }) as unknown as Worker;

describe('the progress line', () => {
  it('shows bytes and records in and out, the rate, backlogs and an ETA', () => {
    const stats = new Stats(2, parseFraming('lines'));
    const block = {
      seq: 0,
      parts: [],
      bytes: 50 * 1024 * 1024,
      firstRecord: 1,
      records: 1000,
      failures: 0,
    };
    stats.read(block);
    stats.wrote(worker(1, 0), [Buffer.from('a\nb\n')]);
    const progress = new Progress(stats, [worker(1, 0), worker(2, 2048)], 100 * 1024 * 1024);
    const line = progress.line(stats.started + 10_000);
    progress.stop();
    expect(line).toBe(
      'in 50 MiB 1000 rec | out 4 B 2 rec | 5 MiB/s | backlog 1:0 B 2:2 KiB | ETA 0:10',
    );
  });

  it('on hosts, adds the blocks done on each host, counted where the slot runs then', () => {
    const where = ['', 'h2', 'h1'];
    const hostOf = (slot: number) => where[slot]!;
    const stats = new Stats(2, parseFraming('lines'), { hostOf, attributed: true });
    const block = { seq: 0, parts: [], bytes: 4, firstRecord: 1, records: 1, failures: 0 };
    for (const slot of [1, 2, 2]) {
      stats.sent(worker(slot, 0), block);
      stats.finished(worker(slot, 0), block);
    }
    // Slot 1's host was dropped: it goes on on h1.
    where[1] = 'h1';
    stats.sent(worker(1, 0), block);
    stats.finished(worker(1, 0), block);
    const progress = new Progress(stats, [worker(1, 0), worker(2, 0)], null);
    expect(progress.line(stats.started + 1000)).toMatch(
      /\| backlog 1:0 B 2:0 B \| done h1:3 h2:1$/,
    );
    progress.stop();
    expect(stats.summary(0).hosts?.map((h) => [h.host, h.slots, h.blocks, h.bytesIn])).toEqual([
      ['h1', [1, 2], 3, 12],
      ['h2', [1], 1, 4],
    ]);
  });

  it('on hosts, counts a block at the host it ran on, given before its slot was placed there', () => {
    const where = ['', 'h1'];
    const hostOf = (slot: number) => where[slot]!;
    const stats = new Stats(1, parseFraming('lines'), { hostOf, attributed: true });
    const block = (seq: number) => ({
      seq,
      parts: [],
      bytes: 4,
      firstRecord: 1,
      records: 1,
      failures: 0,
    });
    const okOn = (host: string) => ({
      kind: 'ok' as const,
      details: { host, exitCode: 0, signal: null },
    });
    // Given while h1 is connected to again, which fails: the slot moves to h2, where it runs.
    stats.sent(worker(1, 0), block(0));
    where[1] = 'h2';
    stats.finished(worker(1, 0), block(0));
    // A per-block slot is given its next block as the last is done, before that one's end.
    stats.sent(worker(1, 0), block(1));
    stats.exited(worker(1, 0), okOn('h2'), []);
    stats.finished(worker(1, 0), block(1));
    stats.exited(worker(1, 0), okOn('h2'), []);
    expect(stats.summary(0).hosts?.map((h) => [h.host, h.blocks, h.done, h.instances])).toEqual([
      ['h2', 2, 2, 2],
    ]);
  });

  it('counts the bytes left of stdin read from an offset, not the whole file', () => {
    // `{ head -c 6000000 >/dev/null; manifold fan --progress ...; } < file`: the ETA counted the
    // whole file, and was still 0:07 when the run ended.
    const file = join(tempDir('manifold-progress-'), 'in.txt');
    writeFileSync(file, 'x'.repeat(1000));
    const fd = openSync(file, 'r');
    try {
      readSync(fd, Buffer.alloc(300));
      expect(inputSize(null, [], fd)).toBe(700);
    } finally {
      closeSync(fd);
    }
  });

  it('leaves out the ETA when the input size is unknown', () => {
    const stats = new Stats(1, parseFraming('lines'));
    const progress = new Progress(stats, [worker(1, 0)], null);
    expect(progress.line(stats.started + 1000)).not.toContain('ETA');
    progress.stop();
  });
});

describe('stats', () => {
  it('counts output records in whole frames split across parts', () => {
    const stats = new Stats(1, parseFraming('frames'));
    const frames = Buffer.from([0, 0, 0, 2, 97, 98, 0, 0, 0, 0]);
    stats.wrote(worker(1, 0), [frames.subarray(0, 5), frames.subarray(5)]);
    expect(stats.recordsOut).toBe(2);
    expect(stats.bytesOut).toBe(10);
  });
});

describe('--progress on a terminal', () => {
  it('draws the line on stderr when it is a terminal, and nothing when it is not', async () => {
    const dir = tempDir('manifold-progress-');
    writeFileSync(`${dir}/in.txt`, `${Array.from({ length: 50_000 }, (_, i) => i).join('\n')}\n`);
    const command = `node ${manifold} fan -j 2 --progress --input ${dir}/in.txt -- cat > ${dir}/out.txt`;
    const tty = await execa('script', ['-qec', command, '/dev/null'], { reject: false });
    expect(tty.exitCode).toBe(0);
    expect(tty.stdout).toMatch(
      /in 282\.1 KiB 50000 rec \| out 282\.1 KiB 50000 rec \| .*\/s \| backlog 1:.* 2:.* \| ETA 0:00/,
    );
    const plain = await execa('bash', ['-c', command], { reject: false });
    expect({ code: plain.exitCode, stderr: plain.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it("takes its line off before manifold's own message, which begins a line of its own", async () => {
    // The failure line was written at the end of the progress line (`... ETA 0:00manifold:
    // worker 1 ...`). The worker fails only once the test has seen the line drawn.
    const dir = tempDir('manifold-progress-');
    const go = fifoIn(dir);
    const worker = `cat >/dev/null; read x < ${go}; exit 3`;
    const text = await onTerminal(`--shell -- '${worker}'`, go, 1);
    const at = text.indexOf('manifold: worker 1');
    expect(at, text).toBeGreaterThan(0);
    // Right before the message: the line taken off (a carriage return, erase to its end), or a
    // line's end; never the progress line's own text.
    expectLineOffBefore(text, at);
    expect(text.slice(at)).toMatch(/^manifold: worker 1 \(pid \d+: .*\) exited with status 3/);
  });

  // The job log's rows (`--joblog -`) and --tag's worker lines, which manifold writes too, began
  // at the progress line's end (`... ETA 0:001<TAB>:<TAB>1796605934.471 ...`).
  for (const [what, flags, line] of [
    ['a --joblog - row', ['--joblog', '-'], /1\t:\t[\d.]+\t/],
    ["a worker's line under --tag", ['--tag'], /1\twarn\n/],
    ["a thread's line", ['--threads'], /warn\n/],
  ] as const) {
    it(`takes its line off before ${what}`, async () => {
      const dir = tempDir('manifold-progress-');
      const go = fifoIn(dir);
      const threads = flags[0] === '--threads';
      // The job log's worker writes nothing itself (a worker's own stderr is not manifold's).
      const warns = flags[0] === '--tag' ? '; echo warn >&2' : '';
      const worker = threads ? `${dir}/warn.mjs` : `cat >/dev/null; read x < ${go}${warns}`;
      if (threads) {
        writeFileSync(
          worker,
          `import { readFileSync } from 'node:fs';\nimport { defineFilter } from '${root}dist/bundle/index.js';\n` +
            `defineFilter({ name: 'warn', flush() { readFileSync('${go}'); console.error('warn'); return []; } }).main();\n`,
        );
      }
      const tail = threads ? ['--', worker] : ['--shell', '--', `'${worker}'`];
      const text = await onTerminal([...flags, ...tail].join(' '), go, 0);
      const at = text.search(line);
      expect(at, text).toBeGreaterThan(0);
      expectLineOffBefore(text, at);
    });
  }
});

function fifoIn(dir: string): string {
  const go = `${dir}/go`;
  execFileSync('mkfifo', [go]);
  return go;
}

/**
 * `manifold fan --progress <args>` on `seq 100`, on a terminal (script), its worker waiting on
 * the FIFO `go` until the test has seen the line drawn; what the terminal showed, once it ended
 * with `status`.
 */
async function onTerminal(args: string, go: string, status: number): Promise<string> {
  const command = `seq 100 | node ${manifold} fan --progress ${args} > /dev/null`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out = watch(child.stdout!);
  const exit = within(waitForExit(child), 30_000, () => `manifold did not end:\n${out.text}`);
  try {
    expect(await holdsWithin(() => out.text.includes('backlog'), 15_000)).toBe(true);
    expect(await holdsWithin(() => releaseFifo(go), 15_000)).toBe(true);
    expect((await exit).exitCode, out.text).toBe(status);
  } finally {
    killFamily(child);
  }
  return out.text.replace(/\r\n/g, '\n');
}

/** Right before `at`: the progress line taken off (a carriage return, erase), or a line's end. */
function expectLineOffBefore(text: string, at: number): void {
  const before = text.slice(0, at);
  const clean = before.endsWith('\r\x1b[K') || before.endsWith('\n');
  expect(clean, JSON.stringify(before.slice(-100))).toBe(true);
}
