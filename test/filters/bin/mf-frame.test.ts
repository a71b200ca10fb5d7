import { describe, expect, it } from 'vitest';
import { bin, output, run } from '../../helpers.js';

const frame = bin('mf-frame');
const unframe = bin('mf-unframe');

describe('mf-frame and mf-unframe', () => {
  it('frames lines as 4-byte big-endian lengths and payloads', async () => {
    const result = await output(frame, [], 'ab\n\nxyz');
    expect([...result]).toEqual([0, 0, 0, 2, 97, 98, 0, 0, 0, 0, 0, 0, 0, 3, 120, 121, 122]);
  });

  it('round-trips NUL-separated binary records', async () => {
    const records = Array.from({ length: 3000 }, (_, i) =>
      Buffer.from(Array.from({ length: i % 257 }, (_, j) => (i + j) % 256 || 1)),
    );
    const input = Buffer.concat(records.flatMap((r) => [r, Buffer.from([0])]));
    const framed = await output(frame, ['--split', 'nul'], input);
    expect(framed.length).toBe(input.length + 3 * records.length);
    expect((await output(unframe, ['--join', 'nul'], framed)).equals(input)).toBe(true);
  });

  it('passes big binary arrays through as they are', async () => {
    const payload = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < payload.length; i += 8) payload.writeDoubleLE(i / 7, i);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    const framed = Buffer.concat([header, payload, header, payload]);
    const back = await output(unframe, ['--join', 'frames'], framed);
    expect(back.equals(framed)).toBe(true);
  });

  it('refuses a frame that contains the output delimiter', async () => {
    const framed = await output(frame, ['--split', 'nul'], 'ok\0two\nlines\0');
    const result = await run(unframe, [], framed);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe('ok\n');
    expect(result.stderr).toMatch(
      /^mf-unframe: stdin:2: frame contains the output delimiter \$'\\n'; choose another with --join/,
    );
  });

  it('refuses a frame ending with the start of a delimiter that overlaps itself (passed before, read back wrong)', async () => {
    for (const [records, join, good] of [
      ['p1\n\0p2\0', 'delim:\\n\\n', ''],
      ['ok\0xA\0y\0', 'delim:AA', 'okAA'],
      ['xAB\0', 'delim:ABAB', ''],
    ] as const) {
      const framed = await output(frame, ['--split', 'nul'], records);
      const result = await run(unframe, ['--join', join], framed);
      expect(result.exitCode, join).toBe(1);
      expect(result.stdout.toString()).toBe(good);
      expect(result.stderr).toMatch(
        /^mf-unframe: stdin:\d: frame ends with the start of the output delimiter \S+; choose another with --join/,
      );
    }
    // One that cannot overlap itself, or a frame whose end does not begin it, is fine.
    const framed = await output(frame, ['--split', 'nul'], 'xB\0Ay\0');
    expect((await output(unframe, ['--join', 'delim:AA'], framed)).toString()).toBe('xBAAAyAA');
  });

  it('reports a truncated frame', async () => {
    const result = await run(unframe, [], Buffer.from([0, 0, 0, 9, 65]));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'mf-unframe: stdin:1: truncated frame: its header says 9 bytes but the input ends after 1\n',
    );
  });
});
