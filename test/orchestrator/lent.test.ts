import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scratch } from '../../filters/sdk/scratch.js';
import { OutputSink } from '../../orchestrator/fan/output.js';
import { lend, wroteParts } from '../../orchestrator/workers/lent.js';
import { tempDir } from '../support/temp.js';

// Output memory lent by a transport (a thread's output buffer) comes back once the sink has
// written every byte of it that was handed out, never before; and a thread's scratch memory
// for encoded text.

describe('lent output memory', () => {
  it('comes back once all of its payload is written, partial writes included', () => {
    const memory = new ArrayBuffer(100);
    const back: ArrayBuffer[] = [];
    lend(memory, 60, (buffer) => back.push(buffer));
    const whole = Buffer.from(memory);
    const a = whole.subarray(8, 48);
    const b = whole.subarray(56, 76);
    const other = Buffer.from('not lent');
    wroteParts([other, a, b], other.length + 30);
    expect(back).toEqual([]);
    // The rest of `a` as a sink puts it back in its queue, then `b`.
    wroteParts([a.subarray(30), b], 10 + 19);
    expect(back).toEqual([]);
    wroteParts([b.subarray(19)], 1);
    expect(back).toEqual([memory]);
    // Written again (it cannot be, but were it), it is not given back twice.
    wroteParts([a], a.length);
    expect(back).toEqual([memory]);
  });

  it('with nothing to write, comes back at once', () => {
    const memory = new ArrayBuffer(16);
    const back: ArrayBuffer[] = [];
    lend(memory, 0, (buffer) => back.push(buffer));
    expect(back).toEqual([memory]);
  });

  it('comes back after the sink wrote it to a file, and not while it waits', async () => {
    const file = join(tempDir(), 'out');
    const fd = openSync(file, 'w');
    const sink = new OutputSink(fd);
    const memory = new ArrayBuffer(1 << 20);
    const bytes = Buffer.from(memory).fill(0x61);
    const back: ArrayBuffer[] = [];
    lend(memory, bytes.length, (buffer) => back.push(buffer));
    sink.write([bytes.subarray(0, 1000), bytes.subarray(1000)]);
    expect(back).toEqual([]);
    await sink.finish();
    closeSync(fd);
    expect(back).toEqual([memory]);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe("a thread's scratch memory for output text", () => {
  it('encodes texts one after another, and in fresh memory once full', () => {
    const scratch = new Scratch();
    const a = scratch.encode('héllo\n');
    const b = scratch.encode('wörld\n');
    expect(a.toString()).toBe('héllo\n');
    expect(b.toString()).toBe('wörld\n');
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + a.length);
    const big = 'x'.repeat(5 * 1024 * 1024);
    const c = scratch.encode(big);
    expect(c.buffer).not.toBe(a.buffer);
    expect(c.length).toBe(big.length);
    scratch.reset();
    const d = scratch.encode('again');
    expect(d.buffer).toBe(a.buffer);
    expect(d.byteOffset).toBe(a.byteOffset);
  });
});
