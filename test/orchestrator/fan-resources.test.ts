import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold } from '../helpers.js';
import { numbered, oneLine, sortedLines } from '../support/lines.js';
import { leftovers, pidsIn, procsOf } from '../support/proc.js';
import {
  finish,
  hasStackTrace,
  nodeFileFloor,
  quote,
  spawnShell,
  sweepFileLimits,
} from '../support/spawn.js';
import { summary, watchStall } from '../support/stall.js';
import { tempDir } from '../support/temp.js';

// manifold under resource limits: few file descriptors (`ulimit -n`), little address space
// (`ulimit -v`). Either it works, or it stops with one line naming the limit, leaving no
// process behind; never a stack trace, never a hang.

const HANG_MS = 20_000;

function numbers(dir: string, count: number): { file: string; text: string } {
  const text = numbered(1, count);
  const file = join(dir, 'input');
  writeFileSync(file, text);
  return { file, text };
}

describe('fan under ulimit -n', () => {
  const cases = [
    { limit: 64, workers: 64, mode: [] as string[] },
    { limit: 40, workers: 16, mode: [] },
    { limit: 64, workers: 64, mode: ['--protocol', 'manifold'] },
    { limit: 64, workers: 64, mode: ['--per-block', '--block', '1K'] },
    { limit: 64, workers: 4, mode: [] },
    // Threads were not checked: Node's own `Error: EMFILE: ... open '.../package.json'`, exit 1.
    { limit: 64, workers: 16, mode: ['--threads'] },
    { limit: 64, workers: 4, mode: ['--threads'] },
  ];
  it.each(cases)(
    'ulimit -n $limit, -j $workers $mode: works, or exit 2 with one line and no worker left',
    async ({ limit, workers, mode }) => {
      const dir = tempDir('manifold-resources-');
      const pids = join(dir, 'pids');
      const { file, text } = numbers(dir, 5000);
      // Threads run mf-map, found in the package, whose load opened its package.json.
      const worker =
        mode[0] === '--threads'
          ? ['mf-map', 'r']
          : [mode[0] === '--protocol' ? fixture('identity.js') : fixture('sig-cat')];
      const args = ['fan', '-j', String(workers), ...mode, '--', ...worker].map(quote).join(' ');
      const child = spawnShell(
        `mkdir ${quote(pids)} && ulimit -n ${limit} && exec ${quote(manifold)} ${args} < ${quote(file)}`,
        { MF_PIDS: pids },
      );
      const result = await finish(child, HANG_MS);
      const left = await leftovers(procsOf(pidsIn(pids)), 200);
      const works =
        result.exitCode === 0 &&
        result.stderr === '' &&
        sortedLines(result.stdout).join() === sortedLines(text).join();
      const refused = result.exitCode === 2 && oneLine.test(result.stderr);
      expect({
        hung: result.hung,
        left,
        stackTrace: hasStackTrace(result.stderr),
        outcome:
          works || refused ? 'ok' : `exit ${result.exitCode}: ${result.stderr.slice(0, 300)}`,
      }).toEqual({ hung: false, left: [], stackTrace: false, outcome: 'ok' });
    },
    HANG_MS + 10_000,
  );

  it(
    'a limit so low Node can barely start: the one line or the run, never a stack trace',
    async () => {
      // From the lowest limit Node runs at, every file of manifold's is opened under the
      // executable's catch: it loads, or manifold says so in its one line.
      const limit = await nodeFileFloor(tempDir('manifold-resources-'), HANG_MS);
      const seen = await sweepFileLimits(
        limit,
        limit + 16,
        `echo x | exec ${quote(manifold)} fan -j 1 -- cat`,
        HANG_MS,
        (result) =>
          result.exitCode === 0 && result.stdout.toString() === 'x\n'
            ? 'works'
            : result.exitCode === 2 && oneLine.test(result.stderr)
              ? 'refused'
              : null,
      );
      expect(seen.filter((outcome) => !/^(works|refused)$/.test(outcome))).toEqual([]);
      // The sweep reaches a limit where the run works: it tried the edge, not refusals alone.
      expect(seen.at(-1)).toBe('works');
    },
    30 * HANG_MS,
  );
});

/** The smallest `ulimit -v` (KiB, to 32 MiB) that `node -e 0` starts under, up to 8 GiB. */
async function nodeStartLimit(): Promise<number> {
  const starts = async (kib: number) => {
    const child = spawnShell(`ulimit -v ${kib} && exec ${quote(process.execPath)} -e 0`);
    return (await finish(child, HANG_MS)).exitCode === 0;
  };
  let low = 64 * 1024;
  let high = 8 * 1024 * 1024;
  if (!(await starts(high))) throw new Error('node does not start under ulimit -v 8G');
  while (high - low > 32 * 1024) {
    const middle = Math.round((low + high) / 2);
    if (await starts(middle)) high = middle;
    else low = middle;
  }
  return high;
}

describe('fan under ulimit -v', () => {
  it(
    'a big input in small blocks, with little address space to spare: works, or one line',
    async () => {
      const dir = tempDir('manifold-resources-');
      const { file, text } = numbers(dir, 200_000);
      const limit = (await nodeStartLimit()) + 256 * 1024;
      const results = [];
      for (const block of ['1K', '16K']) {
        const args = ['fan', '-j', '2', '--block', block, '--merge', 'ordered', '--', 'cat'];
        const child = spawnShell(
          `ulimit -v ${limit} && exec ${quote(manifold)} ${args.join(' ')} < ${quote(file)}`,
        );
        // 1K blocks under --merge ordered are ~1,400 per-block processes: on a busy machine
        // their starts alone can pass the usual limit, which is for a hang, not for speed.
        const result = await finish(child, 3 * HANG_MS);
        const ok =
          result.exitCode === 0 && result.stderr === '' && result.stdout.equals(Buffer.from(text));
        const failedCleanly = result.exitCode !== 0 && oneLine.test(result.stderr);
        results.push({
          block,
          hung: result.hung,
          stackTrace: hasStackTrace(result.stderr),
          outcome:
            ok || failedCleanly ? 'ok' : `exit ${result.exitCode}: ${result.stderr.slice(0, 300)}`,
        });
      }
      expect(results).toEqual(
        ['1K', '16K'].map((block) => ({ block, hung: false, stackTrace: false, outcome: 'ok' })),
      );
    },
    8 * HANG_MS,
  );
});

// Bounded memory: a pipeline whose reader stops reading must make manifold stop reading too,
// so the process feeding it ends up blocked in a full pipe, with manifold's peak memory small
// (test/support/stall.ts).

const run = (args: string) => `${quote(process.execPath)} ${quote(manifold)} ${args}`;

describe('fan memory with a stalled reader', () => {
  it('stdout not read: manifold stops reading its input, memory stays bounded', async () => {
    const stall = await watchStall(
      `yes 0123456789abcdef | ${run('fan -j 2 --block 64K -- cat')} | sleep 1000`,
      'yes 0123',
    );
    expect(summary(stall)).toEqual({ blocked: true, bounded: true, ended: false });
  }, 60_000);

  it('--tag with stderr not read: the worker writing stderr is held back, memory stays bounded', async () => {
    const worker = quote('cat >/dev/null; exec yes err-line >&2');
    const stall = await watchStall(
      `head -c 10000 /dev/zero | tr '\\0' x | fold -w 99 | ` +
        `${run(`fan -j 1 --tag --shell -- ${worker}`)} 2>&1 >/dev/null | sleep 1000`,
      'yes err-line',
    );
    expect(summary(stall)).toEqual({ blocked: true, bounded: true, ended: false });
  }, 60_000);

  it('--merge sorted with a worker that never writes: memory stays bounded, or one clear line', async () => {
    const dir = tempDir('manifold-resources-');
    const worker = quote(
      `if mkdir ${dir}/late 2>/dev/null; then exec sleep 1000; else exec cat; fi`,
    );
    const err = join(dir, 'stderr');
    const stall = await watchStall(
      `yes y | ${run(`fan -j 2 --block 64K --merge sorted --shell -- ${worker}`)} 2>${quote(err)} >/dev/null`,
      'yes',
    );
    const stderr = stall.ended ? readFileSync(err, 'latin1') : '';
    expect({ ...summary(stall), stderr }).toEqual({
      blocked: !stall.ended,
      bounded: true,
      ended: stall.ended,
      stderr: stall.ended ? expect.stringMatching(oneLine) : '',
    });
  }, 60_000);

  it('a worker writing a record past --max-record: one clear line, memory bounded', async () => {
    const dir = tempDir('manifold-resources-');
    const err = join(dir, 'stderr');
    const worker = quote('cat >/dev/null; exec head -c 400000000 /dev/zero');
    const stall = await watchStall(
      `yes y | head -n 10 | ${run(`fan -j 1 --max-record 1M --shell -- ${worker}`)} 2>${quote(err)} >/dev/null`,
      'head -c',
    );
    const stderr = stall.ended ? readFileSync(err, 'latin1') : '';
    expect({ ...summary(stall), stderr }).toEqual({
      blocked: false,
      bounded: true,
      ended: true,
      stderr: expect.stringMatching(oneLine),
    });
  }, 60_000);
});
