import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Table } from '../../orchestrator/workers/frame/crc32.js';
import {
  crc32,
  encodeFrame,
  FRAME_HEADER,
  type Frame,
  FrameError,
  FrameKind,
  FrameReader,
} from '../../orchestrator/workers/frame/index.js';
import { cutsOf, piecesOf } from '../support/cuts.js';

const run = '0123456789abcdef';

/** The frames written as one stream, and random cuts of it: distinct, in order, within it. */
function streamCut(fields: Parameters<typeof encodeFrame>[0][], rawCuts: number[]) {
  const stream = Buffer.concat(fields.flatMap((f) => encodeFrame(f)));
  const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  return { stream, cuts };
}

function readAll(pieces: readonly Buffer[], maxPayload?: number, split = false): Frame[] {
  const frames: Frame[] = [];
  const reader = new FrameReader((frame) => frames.push(frame), { maxPayload, pieces: split });
  for (const piece of pieces) reader.push(piece);
  reader.end();
  return frames;
}

const frameArbitrary = fc.record({
  kind: fc.constantFrom(
    ...(Object.values(FrameKind).filter((v) => typeof v === 'number') as FrameKind[]),
  ),
  flags: fc.integer({ min: 0, max: 255 }),
  channel: fc.integer({ min: 0, max: 0xffff }),
  run: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((a) => Buffer.from(a).toString('hex')),
  seq: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(0x100000000)),
  payload: fc.array(
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    { maxLength: 3 },
  ),
});

describe('the frame codec', () => {
  it('reads back every frame written, whatever the reads cut', () => {
    fc.assert(
      fc.property(
        fc.array(frameArbitrary, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (fields, rawCuts) => {
          const { stream, cuts } = streamCut(fields, rawCuts);
          const frames = readAll(piecesOf(stream, cuts));
          expect(frames).toEqual(fields.map((f) => ({ ...f, payload: Buffer.concat(f.payload) })));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a frame cut at every position, and one byte at a time', () => {
    const stream = Buffer.concat([
      ...encodeFrame({ kind: FrameKind.Block, run, seq: 7, payload: Buffer.from('a\nbc\n') }),
      ...encodeFrame({ kind: FrameKind.BlockEnd, run, seq: 7 }),
    ]);
    for (const cuts of cutsOf(stream.length, { threeUpTo: 0, bytewise: true })) {
      const frames = readAll(piecesOf(stream, cuts));
      expect(frames.map((f) => [f.kind, f.seq, f.payload.toString()])).toEqual([
        [FrameKind.Block, 7, 'a\nbc\n'],
        [FrameKind.BlockEnd, 7, ''],
      ]);
    }
  });

  it('hands on a frame inside one read as a view of it, and reads one across reads into a buffer of its length', () => {
    const [header, payload] = encodeFrame({
      kind: FrameKind.Output,
      run,
      seq: 1,
      payload: Buffer.alloc(10_000, 7),
    });
    const whole = Buffer.concat([header!, payload!]);
    const [inOne] = readAll([whole]);
    expect(inOne!.payload.buffer).toBe(whole.buffer);
    const [across] = readAll([whole.subarray(0, 100), whole.subarray(100)]);
    expect(across!.payload.buffer).not.toBe(whole.buffer);
    expect(across!.payload.byteLength).toBe(10_000);
    expect(across!.payload.equals(payload!)).toBe(true);
  });

  it('with pieces, hands on a frame across reads as views of them, uncopied, whatever the cuts', () => {
    fc.assert(
      fc.property(
        fc.array(frameArbitrary, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (fields, rawCuts) => {
          const { stream, cuts } = streamCut(fields, rawCuts);
          const pieces = piecesOf(stream, cuts);
          const frames = readAll(pieces, undefined, true);
          const read = new Set(pieces.map((piece) => piece.buffer));
          expect(frames.map((f) => [f.kind, f.seq, f.run, Buffer.concat(f.parts!)])).toEqual(
            fields.map((f) => [f.kind, f.seq, f.run, Buffer.concat(f.payload)]),
          );
          for (const frame of frames) {
            expect(frame.payload).toEqual(Buffer.concat(frame.parts!));
            for (const part of frame.parts!) expect(read.has(part.buffer)).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
    const [header, payload] = encodeFrame({
      kind: FrameKind.Block,
      run,
      seq: 1,
      payload: Buffer.from('abcdef'),
    });
    const whole = Buffer.concat([header!, payload!]);
    const [cut] = readAll([whole.subarray(0, 34), whole.subarray(34)], undefined, true);
    expect(cut!.parts!.map(String)).toEqual(['ab', 'cdef']);
    const corrupt = Buffer.from(whole);
    corrupt[37] = 0;
    expect(() => readAll([corrupt.subarray(0, 34), corrupt.subarray(34)], undefined, true)).toThrow(
      /the Block frame with sequence 1 failed its checksum \(6 bytes\)/,
    );
  });

  it('refuses a corrupted payload, a foreign stream, an unknown kind and a length over the limit, naming them', () => {
    const stream = Buffer.concat(
      encodeFrame({ kind: FrameKind.Block, run, seq: 42, payload: Buffer.from('hello') }),
    );
    const flipped = Buffer.from(stream);
    flipped[FRAME_HEADER + 1]! ^= 1;
    expect(() => readAll([flipped])).toThrow(
      new FrameError('the Block frame with sequence 42 failed its checksum (5 bytes)'),
    );
    expect(() => readAll([Buffer.from('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n')])).toThrow(
      /not a manifold frame \(bytes 47455420/,
    );
    const unknown = Buffer.from(stream);
    unknown[4] = 99;
    expect(() => readAll([unknown])).toThrow('unknown frame kind 99');
    expect(() => readAll([stream], 4)).toThrow(
      'a Block frame (sequence 42) announces 5 bytes, over the limit of 4',
    );
  });

  it('says when the stream ended inside a frame, and holds nothing between frames', () => {
    const stream = Buffer.concat(
      encodeFrame({ kind: FrameKind.Block, run, seq: 1, payload: Buffer.alloc(10) }),
    );
    expect(() => readAll([stream.subarray(0, 20)])).toThrow(
      'the stream ended inside a frame header (20 bytes of it read)',
    );
    expect(() => readAll([stream.subarray(0, 35)])).toThrow(
      'the stream ended inside a frame of 42 bytes (35 bytes of it read)',
    );
    const reader = new FrameReader(() => {});
    reader.push(stream.subarray(0, 35));
    expect(reader.buffered).toBe(35);
    reader.push(stream.subarray(35));
    expect(reader.buffered).toBe(0);
  });

  it('refuses fields that do not fit the header', () => {
    expect(() => encodeFrame({ kind: FrameKind.Block, run: 'xyz', seq: 1 })).toThrow(
      'run id "xyz"',
    );
    expect(() => encodeFrame({ kind: FrameKind.Block, run, seq: -1 })).toThrow('sequence -1');
    expect(() => encodeFrame({ kind: FrameKind.Block, run, seq: 1, channel: 70000 })).toThrow(
      'channel 70000',
    );
    expect(() => encodeFrame({ kind: 0 as FrameKind, run, seq: 1 })).toThrow('frame kind 0');
  });

  it('computes CRC-32 as zlib does, in Node releases with and without zlib.crc32', () => {
    expect(crc32([Buffer.from('123456789')])).toBe(0xcbf43926);
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 4 }), (pieces) => {
        const joined = Buffer.concat(pieces);
        let table = 0;
        for (const piece of pieces) table = crc32Table(piece, table);
        expect(crc32(pieces)).toBe(crc32Table(joined));
        expect(table).toBe(crc32Table(joined));
      }),
    );
  });
});
