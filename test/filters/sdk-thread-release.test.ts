import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { blockHeader } from '../../filters/protocol.js';
import type { FromThread, ToThread } from '../../filters/transfer.js';
import { LOADER, loaderData } from '../../orchestrator/workers/thread/loader.js';
import { messagesOf, type ThreadOutput } from '../support/thread-output.js';

// A filter of Buffer records that keeps none (`keepsRecords: false`) holds no view of a block
// once the block is done: its buffer then takes the thread's next output, which moves back to
// manifold in it with no copy, or goes back to manifold to be filled again, as a text filter's
// does. Records it passed on unchanged (input bytes) are copied out before that memory is
// written again or moves. A real worker thread running the
// fixture as manifold runs it (its loader, its mark, --protocol), fed over its real port.

type Output = ThreadOutput;

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const SHAPES = fixture('thread-shapes.js');
/** Keeps every Buffer record (keepsRecords left true) until its flush writes them sorted. */
const SORT = fixture('sort-flush.js');
const workers: Worker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.terminate();
});

/** Block `seq` holding `text`, in an ArrayBuffer of `size` bytes of its own. */
function block(seq: number, text: string, size: number): ToThread {
  const memory = new ArrayBuffer(size);
  const bytes = Buffer.from(text);
  blockHeader(seq, bytes.length, 0).copy(Buffer.from(memory));
  bytes.copy(Buffer.from(memory, 16));
  return { kind: 'bytes', buffer: memory, length: 16 + bytes.length };
}

/** Runs `module` in a thread over `blocks` (text, buffer size); its output messages. */
async function run(blocks: [string, number][], module = SHAPES) {
  const worker = new Worker(LOADER, {
    eval: true,
    workerData: loaderData(pathToFileURL(module).href),
    argv: ['--protocol', 'manifold', '--split', 'lines'],
    stdin: false,
  });
  workers.push(worker);
  const outputs: Output[] = [];
  const done = new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  worker.on('message', (message: FromThread) => {
    if (message.kind === 'output') outputs.push(message);
  });
  blocks.forEach(([text, size], seq) => {
    const message = block(seq, text, size);
    worker.postMessage(message, [(message as { buffer: ArrayBuffer }).buffer]);
  });
  worker.postMessage({ kind: 'end' } satisfies ToThread);
  expect(await done).toBe(0);
  return outputs;
}

describe('a thread filter of Buffer records that keeps none', () => {
  it("gives each block's buffer to its output, which moves back in it, records passed on intact", async () => {
    // Block sizes of their own, to tell the buffers apart: 5000, 6000, 7000, 8000 bytes.
    const outputs = await run([
      ['uab\nkeep\n', 5000],
      ['uzz\nuyy\n', 6000],
      ['uend\n', 7000],
      ['kk\n', 8000],
    ]);
    const said = outputs.flatMap(messagesOf);
    expect(said).toEqual([
      '0:UAB\nkeep\n',
      '0:end',
      '1:UZZ\nUYY\n',
      '1:end',
      '2:UEND\n',
      '2:end',
      '3:kk\n',
      '3:end',
      'trailing:end',
    ]);
    const of = (seq: number) =>
      outputs.find((output) => messagesOf(output).includes(`${seq}:end`))!;
    const sizes = (buffers: ArrayBuffer[]) => buffers.map((buffer) => buffer.byteLength);
    // Block 0's output holds a record passed on (its bytes, copied out): its buffer, smaller
    // than the thread's output memory, goes back to manifold to be filled again.
    expect(sizes(of(0).returned)).toEqual([5000]);
    // Block 1's output moves in that memory, block 1's buffer takes its place, and block 2's
    // output moves back in it. (Held by the filter, no buffer would come back, and each
    // block's output would be copied into a piece of its own, of a few bytes.)
    expect(sizes(of(2).buffers)).toEqual([6000]);
    // Block 3's output, a record passed on, is copied out; block 3's larger buffer becomes the
    // memory and block 2's goes back.
    expect(sizes(of(3).returned)).toEqual([7000]);
  });

  it('gives the same bytes with every record passed on, over many blocks', async () => {
    const blocks: [string, number][] = [];
    const expected: string[] = [];
    for (let seq = 0; seq < 20; seq++) {
      const text = `k${seq}-${'x'.repeat(seq * 37)}\nu${seq}\nk${seq}\n`;
      blocks.push([text, 256 + seq * 64]);
      expected.push(`${seq}:${text.replace(/^u.*$/m, (line) => line.toUpperCase())}`, `${seq}:end`);
    }
    const outputs = await run(blocks);
    expect(outputs.flatMap(messagesOf)).toEqual([...expected, 'trailing:end']);
  });

  it('a filter that keeps its records has their memory left alone until its flush', async () => {
    const blocks: [string, number][] = [];
    const lines: string[] = [];
    for (let seq = 0; seq < 8; seq++) {
      const text = `${String.fromCharCode(122 - seq)}${seq}\n${'m'.repeat(seq * 50)}\n`;
      blocks.push([text, 128 + seq * 64]);
      lines.push(...text.split('\n').slice(0, 2));
    }
    const outputs = await run(blocks, SORT);
    const sorted = lines.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const said = outputs.flatMap(messagesOf);
    expect(said.filter((message) => !message.startsWith('trailing:'))).toEqual(
      blocks.map((_, seq) => `${seq}:end`),
    );
    expect(said.filter((message) => message.startsWith('trailing:'))).toEqual([
      `trailing:${sorted.map((line) => `${line}\n`).join('')}`,
      'trailing:end',
    ]);
    // No buffer of a block went back while the filter held views of it.
    expect(outputs.flatMap((output) => output.returned)).toEqual([]);
  });
});
