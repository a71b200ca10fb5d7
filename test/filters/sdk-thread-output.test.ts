import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { blockHeader } from '../../filters/protocol.js';
import { PortIO } from '../../filters/sdk/thread.js';
import type { FromThread, ToThread } from '../../filters/transfer.js';
import { messagesOf, type ThreadOutput } from '../support/thread-output.js';

// A filter in a thread encodes its output into memory of its own, with room kept for each
// block's message header before its bytes and for the block's end after them. That memory then
// moves to manifold as it is, and the block's own buffer, free once its records were read,
// takes the next output: no copy either way. Output that is not where the room was kept (bytes
// of the input, or of a Buffer made elsewhere) goes in pieces of its own, in its place. Real
// ports (a MessageChannel), as between manifold and its threads.

type Output = ThreadOutput;

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** A PortIO on one end of a channel; the other end plays manifold. */
function thread() {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const heard: FromThread[] = [];
  let wake: (() => void) | null = null;
  port2.on('message', (message: FromThread) => {
    heard.push(message);
    wake?.();
  });
  const io = new PortIO(port1);
  const chunks = io.chunks()[Symbol.asyncIterator]();
  return {
    io,
    /** Sends block `seq` holding `text`, in an ArrayBuffer of `size` bytes of its own. */
    give(seq: number, text: string, size = 4096): ArrayBuffer {
      const memory = new ArrayBuffer(size);
      const bytes = Buffer.from(text);
      blockHeader(seq, bytes.length, 1).copy(Buffer.from(memory));
      bytes.copy(Buffer.from(memory, 16));
      const message: ToThread = { kind: 'bytes', buffer: memory, length: 16 + bytes.length };
      port2.postMessage(message, [memory]);
      return memory;
    },
    end(): void {
      const message: ToThread = { kind: 'end' };
      port2.postMessage(message);
    },
    next: () => chunks.next(),
    /** The next output message manifold hears. */
    async output(): Promise<Output> {
      for (;;) {
        const at = heard.findIndex((message) => message.kind === 'output');
        if (at >= 0) return heard.splice(at, 1)[0] as Output;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

describe("a thread's output memory", () => {
  it('moves framed where it was encoded, and the block read last takes the next output', async () => {
    const t = thread();
    t.give(0, 'a\n', 4096);
    const first = await t.next();
    await t.io.send(0, [t.io.memory.encode('A\n')], true);
    t.io.release(first.value as Buffer);
    t.give(1, 'b\n', 3000);
    const second = await t.next();
    const out0 = await t.output();
    // One buffer, the memory the output was encoded in, its header and end around it.
    expect(messagesOf(out0)).toEqual(['0:A\n', '0:end']);
    expect(out0.buffers).toHaveLength(1);
    expect(out0.runs).toEqual([0, 0, 8 + 2 + 8]);
    expect(out0.returned).toEqual([]);

    await t.io.send(1, [t.io.memory.encode('B\n')], true);
    t.io.release(second.value as Buffer);
    t.end();
    await t.next();
    const out1 = await t.output();
    expect(messagesOf(out1)).toEqual(['1:B\n', '1:end']);
    // Block 0's own buffer (4096 bytes) carried block 1's output back: nothing was allocated.
    expect(out1.buffers.map((buffer) => buffer.byteLength)).toEqual([4096]);
    expect(out1.finished).toBe(2);
  });

  it('keeps the order of output framed in place and output in pieces of its own', async () => {
    const t = thread();
    t.give(0, 'x\n');
    const first = await t.next();
    const { io } = t;
    await io.send(0, [io.memory.encode('one\n')], false);
    // Bytes of the input itself (a record passed on unchanged), then of a Buffer made elsewhere.
    await io.send(0, [(first.value as Buffer).subarray(16, 18)], false);
    await io.send(0, [io.memory.encode('two\n'), Buffer.from('three\n')], false);
    await io.send(0, [io.memory.encode('four\n')], true);
    io.release(first.value as Buffer);
    t.end();
    await t.next();
    const out = await t.output();
    expect(messagesOf(out)).toEqual(['0:one\n', '0:x\n', '0:two\nthree\n', '0:four\n', '0:end']);
    // The memory once, for its two runs; one piece each for the two not framed in it.
    expect(out.buffers).toHaveLength(3);
    expect(out.runs!.filter((_, i) => i % 3 === 0)).toEqual([0, 1, 2, 0]);
  });

  it('is copied out, and serves again, when no block left a buffer to take its place', async () => {
    const t = thread();
    t.give(0, 'x\n');
    await t.next();
    await t.io.send(0, [t.io.memory.encode('kept\n')], true);
    // Not released: the filter holds views of the block (Buffer records).
    t.give(1, 'y\n');
    await t.next();
    const out = await t.output();
    expect(messagesOf(out)).toEqual(['0:kept\n', '0:end']);
    expect(out.buffers.map((buffer) => buffer.byteLength)).toEqual([8 + 5 + 8]);
    expect(t.io.memory.buffer?.length).toBeGreaterThan(0);
    t.end();
  });

  it('an empty block ends in the room kept for a header', async () => {
    const t = thread();
    t.give(0, 'x\n');
    const first = await t.next();
    await t.io.send(0, [], true);
    t.io.release(first.value as Buffer);
    t.give(1, 'y\n');
    await t.next();
    const out = await t.output();
    expect(messagesOf(out)).toEqual(['0:end']);
    expect(out.runs).toEqual([0, 0, 8]);
    t.end();
  });

  it('a block whose output outgrows the memory goes in pieces, in its place', async () => {
    const t = thread();
    t.give(0, 'x\n', 64);
    const first = await t.next();
    await t.io.send(0, [t.io.memory.encode('A\n')], true);
    t.io.release(first.value as Buffer);
    t.give(1, 'y\n', 64);
    const second = await t.next();
    await t.output();
    // The memory is now block 0's 64 bytes: 100 bytes of text do not fit in it.
    const long = 'L'.repeat(99);
    await t.io.send(1, [t.io.memory.encode(`${long}\n`)], true);
    t.io.release(second.value as Buffer);
    t.end();
    await t.next();
    const out = await t.output();
    expect(messagesOf(out)).toEqual([`1:${long}\n`, '1:end']);
  });

  it("a larger block's buffer takes the place of memory too small for the output", async () => {
    const t = thread();
    t.give(0, 'x\n', 64);
    const first = await t.next();
    await t.io.send(0, [t.io.memory.encode('A\n')], true);
    t.io.release(first.value as Buffer);
    t.give(1, 'y\n', 4096);
    const second = await t.next();
    await t.output();
    // The memory is block 0's 64 bytes: 1000 bytes go in a piece, and block 1's 4096 bytes,
    // free, become the memory (the 64 go back).
    const long = `${'L'.repeat(999)}\n`;
    await t.io.send(1, [t.io.memory.encode(long)], true);
    t.io.release(second.value as Buffer);
    t.give(2, 'z\n', 4096);
    const third = await t.next();
    const out1 = await t.output();
    expect(messagesOf(out1)).toEqual([`1:${long}`, '1:end']);
    expect(out1.returned.map((buffer) => buffer.byteLength)).toEqual([64]);
    await t.io.send(2, [t.io.memory.encode(long)], true);
    t.io.release(third.value as Buffer);
    t.end();
    await t.next();
    const out2 = await t.output();
    expect(messagesOf(out2)).toEqual([`2:${long}`, '2:end']);
    // Framed where it was encoded, in block 1's buffer, which moved.
    expect(out2.buffers.map((buffer) => buffer.byteLength)).toEqual([4096]);
  });
});
