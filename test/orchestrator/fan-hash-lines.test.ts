import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyOf, parseFraming, parseKeySpec } from '../../filters/index.js';
import { EndsSplitter } from '../../orchestrator/fan/ends-splitter.js';
import { workerOf } from '../../orchestrator/fan/hash.js';
import { HashPartitioner, hashKey } from '../../orchestrator/fan/partition.js';
import { PIECE_SIZE, PieceWriter } from '../../orchestrator/fan/pieces.js';
import { Splitter } from '../../orchestrator/fan/splitter.js';
import type { Block } from '../../orchestrator/workers/block.js';
import { manifold, run } from '../helpers.js';
import { cutsOf, piecesOf } from '../support/cuts.js';
import { randoms } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fileTempDir } from '../support/temp.js';

// Hash dispatch's fast path (records ended by one byte, keys that are the whole record or a
// field): one scan per record over the block's own views, parts copied into reused pieces,
// blocks cut by looking near their ends only. Each is checked against the general definition
// (the key's FNV-1a hash modulo the workers) and the counting splitter.

const tempDir = () => fileTempDir('manifold-fan-hash-lines-');

/**
 * What each worker must get: its records in input order, each ended by the delimiter but the
 * input's last when `open` (it has none: given on so, not with a byte the input has not).
 */
function expectedParts(
  records: Buffer[],
  workers: number,
  key: string,
  sep?: string,
  open = false,
): Buffer[] {
  const spec = parseKeySpec(key, sep);
  const parts: Buffer[][] = Array.from({ length: workers }, () => []);
  for (const [i, record] of records.entries()) {
    const end = open && i === records.length - 1 ? [] : [Buffer.from('\n')];
    parts[hashKey(keyOf(spec, record)) % workers]!.push(record, ...end);
  }
  return parts.map((list) => Buffer.concat(list));
}

/** Records of `input` ended by newlines (a last one without it included). */
function recordsOf(input: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let start = 0;
  for (let at = input.indexOf(10); at >= 0; at = input.indexOf(10, start)) {
    records.push(input.subarray(start, at));
    start = at + 1;
  }
  if (start < input.length) records.push(input.subarray(start));
  return records;
}

const blockOf = (parts: Buffer[]) => ({
  seq: 0,
  parts,
  bytes: parts.reduce((n, p) => n + p.length, 0),
  firstRecord: 0,
  records: -1,
  failures: 0,
});

describe('hash dispatch, the fast path for lines', () => {
  // Binary bytes, blanks and empty fields, \r, an empty record, a last record without newline.
  const input = Buffer.concat([
    Buffer.from('a b\n\xff\x00 c\n\n  d\te\r\n'),
    Buffer.from([0x80, 0x20, 0xfe, 0x0a]),
    Buffer.from('f\tg h\nlast one'),
  ]);
  const records = recordsOf(input);

  it('sends each record where the general definition does, at every cut of the views', () => {
    for (const [key, sep] of [['whole'], ['field:1'], ['field:2'], ['field:2', '\t']] as const) {
      const expected = expectedParts(records, 3, key, sep, true);
      for (const cuts of cutsOf(input.length, { threeUpTo: 40, bytewise: true })) {
        const partitioner = new HashPartitioner(
          3,
          parseFraming('lines'),
          parseKeySpec(key, sep),
          1 << 20,
        );
        const block = blockOf(piecesOf(input, cuts));
        const parts = partitioner.split(block, () => 0);
        const got = parts.map((part) =>
          part === null ? Buffer.alloc(0) : Buffer.concat(part.parts),
        );
        expect(got, `${key} ${sep ?? ''} cut at ${cuts}`).toEqual(expected);
        expect(block.records).toBe(records.length);
        expect(block.firstRecord).toBe(1);
        expect(parts.map((part) => part?.bytes ?? 0)).toEqual(expected.map((b) => b.length));
      }
    }
  });

  it('numbers blocks cut without counting, in order, and names a record over --max-record', () => {
    const partitioner = new HashPartitioner(2, parseFraming('lines'), parseKeySpec('whole'), 5);
    const first = blockOf([Buffer.from('a\nb\nc\n')]);
    partitioner.split(first, () => 0);
    const second = blockOf([Buffer.from('d\ne')]);
    partitioner.split(second, () => 0);
    expect([first.firstRecord, first.records, second.firstRecord, second.records]).toEqual([
      1, 3, 4, 2,
    ]);
    expect(() => partitioner.split(blockOf([Buffer.from('ok\n123456\n')]), () => 0)).toThrow(
      /^input:7: record is larger than the maximum record size 5 B \(6 B\)/,
    );
  });

  it('carries on over blocks much larger than a piece, the views of each part intact', () => {
    const pick = randoms(3);
    const lines = Array.from(
      { length: 40_000 },
      (_, i) => `k${pick(500)} ${'x'.repeat(pick(60))}${i}`,
    );
    const text = Buffer.from(`${lines.join('\n')}\n`);
    const partitioner = new HashPartitioner(2, parseFraming('lines'), parseKeySpec('field:1'), 1e6);
    const got: Buffer[][] = [[], []];
    // Blocks of ~100 KiB in reads of 7 KiB: records straddle the views and the pieces.
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + 100_000);
      end = text.lastIndexOf(10, end - 1) + 1;
      const views: Buffer[] = [];
      for (let at = start; at < end; at += 7000)
        views.push(Buffer.from(text.subarray(at, Math.min(end, at + 7000))));
      partitioner
        .split(blockOf(views), () => 0)
        .forEach((part, worker) => {
          if (part !== null) got[worker]!.push(...part.parts);
        });
      start = end;
    }
    expect(text.length).toBeGreaterThan(10 * PIECE_SIZE);
    const expected = expectedParts(recordsOf(text), 2, 'field:1');
    expect(got.map((views, worker) => byteDiff(Buffer.concat(views), expected[worker]!))).toEqual(
      expected.map(sameBytes),
    );
  });
});

describe('the pieces parts are copied into', () => {
  it('keep every view valid until released, and write again only pieces released and full', () => {
    const writer = new PieceWriter();
    const fill = (byte: number, length: number) => Buffer.alloc(length, byte);
    const put = (byte: number, length: number) => {
      const bytes = fill(byte, length);
      writer.copy(bytes.buffer as ArrayBuffer, bytes.byteOffset, length);
    };
    put(1, PIECE_SIZE - 10);
    const a = writer.take();
    put(2, 10);
    const b = writer.take();
    b.release();
    put(3, 5);
    const c = writer.take();
    // The first piece is full, but `a` still holds it: the bytes after it went to a new piece.
    expect(c.views[0]!.buffer).not.toBe(a.views[0]!.buffer);
    expect(Buffer.concat([...a.views, ...b.views])).toEqual(
      Buffer.concat([fill(1, PIECE_SIZE - 10), fill(2, 10)]),
    );
    a.release();
    // Now it is free: once the second piece is full, the first is written again.
    put(4, PIECE_SIZE);
    const d = writer.take();
    expect(d.views.map((view) => view.length)).toEqual([PIECE_SIZE - 5, 5]);
    expect(d.views[1]!.buffer).toBe(a.views[0]!.buffer);
    expect(Buffer.concat(d.views)).toEqual(fill(4, PIECE_SIZE));
    // `c` was never released: its bytes are still its own.
    expect(Buffer.concat(c.views)).toEqual(fill(3, 5));
  });
});

describe('the splitter that looks near block ends only', () => {
  const inputs: [string, Buffer][] = [
    ['lines', Buffer.from('a\nbb\n\nccc\nd')],
    ['lines', Buffer.from('xyz\n\n\nlong record\n')],
    ['nul', Buffer.from('x\0\0yz\0')],
  ];
  for (const [framing, input] of inputs) {
    it(`cuts ${JSON.stringify(input.toString())} (${framing}) where the counting splitter does`, () => {
      const delimiter = framing === 'lines' ? 10 : 0;
      for (const size of [1, 2, 3, 5, 8, 100]) {
        for (const cuts of cutsOf(input.length, { threeUpTo: 20 })) {
          const counting = new Splitter(parseFraming(framing), size, 1 << 20);
          const ends = new EndsSplitter(delimiter, size, 1 << 20, () => 0);
          const a = piecesOf(input, cuts).flatMap((c) => counting.push(c));
          a.push(...counting.end());
          const b = piecesOf(input, cuts).flatMap((c) => ends.push(c));
          b.push(...ends.end());
          const bytes = (blocks: typeof a) => blocks.map((x) => Buffer.concat(x.parts).toString());
          expect(bytes(b), `block ${size}, cuts ${cuts}`).toEqual(bytes(a));
          expect(b.every((x) => x.records === -1)).toBe(true);
          // Numbered (attributed workers): the same blocks, numbered as the counting splitter does.
          const numbered = new EndsSplitter(delimiter, size, 1 << 20, null, parseFraming(framing));
          const c = piecesOf(input, cuts).flatMap((x) => numbered.push(x));
          c.push(...numbered.end());
          const numbers = (blocks: typeof a) => blocks.map((x) => [x.firstRecord, x.records]);
          expect(bytes(c), `block ${size}, cuts ${cuts}`).toEqual(bytes(a));
          expect(numbers(c), `block ${size}, cuts ${cuts}`).toEqual(numbers(a));
        }
      }
    });
  }

  it('numbers blocks of megabytes of lines as the counting splitter does, over any reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 3000 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(100, 4096, 65_536, 1 << 20),
        (lengths, ended, reads, size) => {
          const text = lengths.map((n) => 'x'.repeat(n)).join('\n') + (ended ? '\n' : '');
          const input = Buffer.from(text);
          const counting = new Splitter(parseFraming('lines'), size, 1 << 20);
          const numbered = new EndsSplitter(10, size, 1 << 20, null, parseFraming('lines'));
          const a: Block[] = [];
          const b: Block[] = [];
          for (let at = 0, r = 0; at < input.length; at += reads[r++ % reads.length]!) {
            const chunk = input.subarray(at, at + reads[r % reads.length]!);
            a.push(...counting.push(chunk));
            b.push(...numbered.push(chunk));
          }
          a.push(...counting.end());
          b.push(...numbered.end());
          const shape = (blocks: Block[]) =>
            blocks.map((x) => [x.bytes, x.firstRecord, x.records, Buffer.concat(x.parts).length]);
          expect(shape(b)).toEqual(shape(a));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('numbered, names a record over --max-record by its number', () => {
    const ends = new EndsSplitter(10, 4, 10, null, parseFraming('lines'));
    expect(() => ends.push(Buffer.from('ab\ncd\n\n0123456789abc'))).toThrow(
      /^input:4: record is larger than the maximum record size 10 B \(13 B so far\)/,
    );
  });

  it('names a record over --max-record by the records counted before it', () => {
    const ends = new EndsSplitter(10, 4, 10, () => 41);
    expect(() => ends.push(Buffer.from('ab\ncd\n0123456789abc'))).toThrow(
      /^input:44: record is larger than the maximum record size 10 B \(13 B so far\)/,
    );
  });

  it('where nobody counts the records, names one over --max-record by its first byte and keeps its chunks', () => {
    const ends = new EndsSplitter(10, 4, 10, null);
    const first = ends.push(Buffer.from('ab\ncd\n'));
    expect(first.map((b) => Buffer.concat(b.parts).toString())).toEqual(['ab\n']);
    // The blocks keep views of the chunk: it is not given back to be read into.
    expect(ends.consumed()).toEqual([]);
    expect(() => ends.push(Buffer.from('0123456789abc'))).toThrow(
      /^input: byte 7: record is larger than the maximum record size 10 B \(13 B so far\)/,
    );
    // A record over the maximum that arrives whole, its end in view: measured all the same.
    const whole = new EndsSplitter(10, 4, 10, null);
    expect(() => whole.push(Buffer.from('ab\n0123456789a\nok\n'))).toThrow(
      /^input: byte 4: record is larger than the maximum record size 10 B \(11 B\)/,
    );
    const fits = new EndsSplitter(10, 4, 10, null);
    const blocks = [...fits.push(Buffer.from('ab\n0123456789\nok\n')), ...fits.end()];
    expect(blocks.map((b) => Buffer.concat(b.parts).toString())).toEqual([
      'ab\n',
      '0123456789\n',
      'ok\n',
    ]);
  });
});

describe('workerOf', () => {
  it('is hash % workers for every 32-bit hash and number of workers', () => {
    const pick = randoms(9);
    const hashes = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
    for (let i = 0; i < 2000; i++) hashes.push((pick(0x10000) * 0x10000 + pick(0x10000)) >>> 0);
    for (const workers of [1, 2, 3, 7, 64, 1000, 32767, 32768, 32769, 100_000]) {
      for (const hash of hashes) expect(workerOf(hash, workers)).toBe(hash % workers);
    }
  });
});

describe.concurrent('manifold fan --dispatch hash from a file', () => {
  const pick = randoms(4);
  // ~3 MiB: many 256 KiB reads (their buffers read into again) and 1 MiB blocks; binary bytes.
  const lines = Array.from({ length: 60_000 }, (_, i) => {
    const key = `k${pick(1000)}${String.fromCharCode(0x80 + pick(100))}`;
    return Buffer.from(
      `${key} ${'\xff\x00\r'.slice(pick(3))}${'w'.repeat(pick(40))} ${i}`,
      'latin1',
    );
  });
  const input = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));

  async function perWorker(dir: string, args: string[], via: 'file' | 'stdin' | 'pipe') {
    const file = join(dir, 'in');
    writeFileSync(file, input);
    const out = join(dir, `w.${via}.`);
    const fanArgs = ['fan', '-j', '3', '--dispatch', 'hash', ...args];
    const worker = ['--', 'sh', '-c', `cat > ${out}$MANIFOLD_SLOT`];
    const result =
      via === 'file'
        ? await run(manifold, [...fanArgs, '--input', file, ...worker])
        : via === 'stdin'
          ? await run('sh', ['-c', `exec "$@" < ${file}`, 'sh', manifold, ...fanArgs, ...worker])
          : await run(manifold, [...fanArgs, ...worker], input);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
    return [1, 2, 3].map((slot) => readFileSync(`${out}${slot}`));
  }

  for (const args of [[], ['--block', '4K'], ['--key', 'field:1']]) {
    it(`gives each worker its records, in order, byte for byte: ${args.join(' ') || 'defaults'}`, async () => {
      const dir = tempDir();
      const key = args.includes('--key') ? 'field:1' : 'whole';
      const expected = expectedParts(lines, 3, key);
      for (const via of ['file', 'stdin', 'pipe'] as const) {
        const got = await perWorker(dir, args, via);
        expect(
          got.map((bytes, worker) => byteDiff(bytes, expected[worker]!)),
          via,
        ).toEqual(expected.map(sameBytes));
      }
    });
  }
});

// A last record without its delimiter reached the worker with one: `printf 'a\nb' | manifold
// fan -j 1 --dispatch hash -- wc -c` said 4, as no other dispatch and no `parallel --shard` did.
describe('hash dispatch of a last record without its delimiter', () => {
  it.for([
    ['lines', [], 'a\nb\nc'],
    ['nul', ['-0'], 'a\0b\0c'],
    ['delim:<=>', ['--split', 'delim:<=>'], 'a<=>b<=>c'],
    ['lines:2', ['-L', '2'], 'l1\nl2\nl3'],
    ['lines, a field key', ['--key', 'field:1'], 'a 1\nb 2\nc'],
  ] as const)(
    'gives it on as it came (%s), with one worker and with three',
    async ([, args, input], { expect }) => {
      const one = await run(
        manifold,
        ['fan', '-j', '1', '--dispatch', 'hash', ...args, '--', 'cat'],
        input,
      );
      expect([one.exitCode, one.stderr, one.stdout.toString()]).toEqual([0, '', input]);
      const three = await run(
        manifold,
        ['fan', '-j', '3', '--dispatch', 'hash', ...args, '--join', 'lines', '--', 'wc', '-c'],
        input,
      );
      const counted = three.stdout.toString().trim().split(/\s+/).map(Number);
      expect(counted.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(input));
    },
  );
});
