import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, fixture } from '../helpers.js';
import { randoms, shuffled, variedLines } from '../support/data.js';
import { fan, OK, ok, untag } from '../support/fan-run.js';
import { encode, framingOf } from '../support/framing.js';
import { joinLines, linesOf, numbered, sortedLines } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// `manifold fan --threads`: SDK filters run as threads of manifold, blocks transferred to them
// and their output back, each block's output tied to it: the same bytes as processes, every
// framing, every merge. Real threads in a real manifold (more in fan-threads-*.test.ts).

const words = (count: number, seed: number) => joinLines(variedLines(count, seed));
/** The lines `<prefix><n>` for n from `from` to `to`, without their newlines. */
const numberedLines = (from: number, to: number, prefix = '') =>
  linesOf(numbered(from, to, prefix));

describe('threads run the same filter module as a process, byte for byte', () => {
  const input = words(20_000, 14);

  it('mf-map by name: the same bytes as one mf-map process, and as process workers', async () => {
    const alone = await fan(
      ['-j', '1', '--per-block', '--block', '1G', '--', bin('mf-map'), 'r.toUpperCase()'],
      input,
    );
    const threads = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '16K',
        '--merge',
        'ordered',
        '--',
        'mf-map',
        'r.toUpperCase()',
      ],
      input,
    );
    const processes = await fan(
      [
        '-j',
        '2',
        '--protocol',
        'manifold',
        '--block',
        '16K',
        '--merge',
        'ordered',
        '--',
        bin('mf-map'),
        'r.toUpperCase()',
      ],
      input,
    );
    expect([ok(alone), ok(threads), ok(processes)]).toEqual([OK, OK, OK]);
    expect(alone.stdout.toString()).toBe(input.toUpperCase());
    expect(threads.stdout.equals(alone.stdout)).toBe(true);
    expect(threads.stdout.equals(processes.stdout)).toBe(true);
  });

  it('a module given as a path, or as node <module>, runs in threads alike', async () => {
    const byPath = await fan(
      ['-j', '2', '--threads', '--block', '1K', '--merge', 'ordered', '--', fixture('expand.js')],
      input,
    );
    const byNode = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--',
        'node',
        fixture('expand.js'),
      ],
      input,
    );
    expect([ok(byPath), ok(byNode)]).toEqual([OK, OK]);
    const expected = linesOf(input).flatMap((line) =>
      line === 'drop' ? [] : [line, line, String(line.length)],
    );
    expect(linesOf(byPath.stdout)).toEqual(expected);
    expect(byNode.stdout.equals(byPath.stdout)).toBe(true);
  });
});

describe('every framing through threads', () => {
  const pick = randoms(7);
  const records = Array.from({ length: 3000 }, (_, i) =>
    Buffer.from(`r${i}-${'x'.repeat(pick(20))}`, 'latin1'),
  );

  it.each(['lines', 'nul', 'delim:;;', 'frames'])(
    '%s: the identity filter gives back every record, in order, from small blocks',
    async (name) => {
      const input = encode(framingOf(name), records);
      const result = await fan(
        [
          '-j',
          '2',
          '--threads',
          '--split',
          name,
          '--block',
          '512',
          '--merge',
          'ordered',
          '--',
          fixture('identity.js'),
        ],
        input,
      );
      expect(ok(result)).toEqual(OK);
      expect(result.stdout.equals(input)).toBe(true);
    },
  );

  it('fixed:8: records of eight bytes, the last one short', async () => {
    const input = Buffer.from(`${'0123456789abcdef'.repeat(500)}tail`);
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--split',
        'fixed:8',
        '--block',
        '100',
        '--merge',
        'ordered',
        '--',
        fixture('identity.js'),
      ],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.equals(input)).toBe(true);
  });

  it('ndjson: values in, values out, blank lines kept out', async () => {
    const values = Array.from({ length: 2000 }, (_, n) => JSON.stringify({ n, tag: `t${n % 7}` }));
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--split',
        'ndjson',
        '--block',
        '1K',
        '--merge',
        'ordered',
        '--',
        'mf-map',
        '--json',
        '({...r, m: r.n * 2})',
      ],
      joinLines(values),
    );
    expect(ok(result)).toEqual(OK);
    const out = linesOf(result.stdout).map((line) => JSON.parse(line) as { n: number; m: number });
    expect(out.map((v) => v.n)).toEqual(values.map((_, n) => n));
    expect(out.every((v) => v.m === v.n * 2)).toBe(true);
  });
});

describe('merges and dispatch with threads', () => {
  const input = numbered(1, 20_000, 'line ');

  it('ready: every record once, in any order', async () => {
    const result = await fan(
      ['-j', '3', '--threads', '--block', '2K', '--', 'mf-map', 'r + "!"'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const expected = numberedLines(1, 20_000, 'line ').map((line) => `${line}!`);
    expect(sortedLines(result.stdout)).toEqual(sortedLines(joinLines(expected)));
  });

  it('sorted: each thread sorts its share at the end, the merge interleaves them', async () => {
    const lines = shuffled(numberedLines(1, 5000, 'k'), 3);
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--block',
        '4K',
        '--merge',
        'sorted',
        '--',
        fixture('sort-flush.js'),
      ],
      joinLines(lines),
      { env: { LC_ALL: 'C' } },
    );
    expect(ok(result)).toEqual(OK);
    expect(linesOf(result.stdout)).toEqual([...lines].sort());
  });

  it('hash dispatch: every copy of a key reaches the same thread, whose state drops repeats', async () => {
    const keys = Array.from({ length: 6000 }, (_, i) => `key${i % 500} value`);
    const result = await fan(
      [
        '-j',
        '3',
        '--threads',
        '--dispatch',
        'hash',
        '--key',
        'field:1',
        '--block',
        '1K',
        '--tag',
        '--',
        fixture('thread-dedupe.js'),
      ],
      joinLines(keys),
    );
    expect(ok(result)).toEqual(OK);
    const out = linesOf(result.stdout).map(untag);
    // Each key once: had two threads seen a key, both would have kept it.
    expect(out.map((o) => o.record).sort()).toEqual([...new Set(keys)].sort());
    expect(new Set(out.map((o) => o.worker))).toEqual(new Set([1, 2, 3]));
  });
});

describe("a thread's output buffers carry blocks again once written", () => {
  // Written to a file, the output goes through the sink that gives a thread's buffers back to
  // the pool that blocks are copied into: a buffer given back before all of it was out would
  // show here as lost or foreign bytes. The ordered merge holds later blocks' output while an
  // earlier one is slow, and a filter that grows its records sends pieces of its own.
  const input = words(200_000, 21);

  it.each([
    ['ordered, records as long', 'r.toUpperCase()', (line: string) => line.toUpperCase()],
    ['ordered, records grown', 'r + r + r', (line: string) => line + line + line],
  ])('%s: the same bytes as the input mapped', async (_name, expression, map) => {
    const file = join(tempDir(), 'out');
    const result = await fan(
      ['-j', '2', '--threads', '--block', '16K', '--merge', 'ordered', '--', 'mf-map', expression],
      input,
      { stdout: { file } },
    );
    expect(ok(result)).toEqual(OK);
    const expected = joinLines(linesOf(input).map(map));
    expect(readFileSync(file).toString() === expected).toBe(true);
  });
  it.each([
    ['ready', 'r.toUpperCase()', 16, (line: string) => line.toUpperCase()],
    // Blocks of 2 MiB, each of whose output (6 MiB) goes to manifold before the block ends.
    ['ordered, output past 4 MiB a block', 'r + r + r', 2048, (line: string) => line + line + line],
    // Lines dropped, passed on unchanged and changed, in every block (the order of output
    // framed in place and in pieces of its own: sdk-thread-output.test.ts).
    [
      'ordered, lines dropped, kept and changed',
      '/^[a-f]/.test(r) ? undefined : /^[g-p]/.test(r) ? r : r.toUpperCase()',
      16,
      (line: string) =>
        /^[a-f]/.test(line) ? null : /^[g-p]/.test(line) ? line : line.toUpperCase(),
    ],
  ])('%s: the same bytes as the input mapped', async (name, expression, blockKiB, map) => {
    const file = join(tempDir(), 'out');
    const merge = name.startsWith('ordered') ? ['--merge', 'ordered'] : [];
    const result = await fan(
      ['-j', '2', '--threads', '--block', `${blockKiB}K`, ...merge, '--', 'mf-map', expression],
      input,
      { stdout: { file } },
    );
    expect(ok(result)).toEqual(OK);
    const mapped = linesOf(input)
      .map(map)
      .filter((line) => line !== null);
    const written = readFileSync(file).toString();
    if (merge.length > 0) expect(written === joinLines(mapped)).toBe(true);
    else expect(linesOf(written).sort()).toEqual([...mapped].sort());
  });
});
