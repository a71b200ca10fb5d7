import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, type ManifoldError } from '../../orchestrator/index.js';
import { fixture } from '../helpers.js';
import { holdsWithin, leftovers, pidsIn, procsOf } from '../support/proc.js';
import { tempDir } from '../support/temp.js';
import { runApiScript } from './script.js';

/** An endless input of numbered lines, made as it is read; `produced` counts its bytes. */
function endless(): Readable & { produced: number } {
  let n = 0;
  const stream = new Readable({
    read() {
      const lines: string[] = [];
      for (let i = 0; i < 1000; i++) lines.push(`record ${n++} ${'x'.repeat(50)}\n`);
      const chunk = lines.join('');
      counted.produced += chunk.length;
      this.push(chunk);
    },
  });
  const counted = Object.assign(stream, { produced: 0 });
  return counted;
}

describe('fan.stream', () => {
  it('gives chunks of whole records, in order under merge ordered', async () => {
    const input = Array.from({ length: 5000 }, (_, i) => `${i}\n`).join('');
    const chunks: Buffer[] = [];
    for await (const chunk of fan.stream(
      { command: ['cat'], workers: 3, block: 100, merge: 'ordered', oneToOne: true },
      { input: Readable.from([input]) },
    )) {
      chunks.push(chunk);
    }
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.at(-1), 'each chunk ends a record').toBe(0x0a);
    expect(Buffer.concat(chunks).toString()).toBe(input);
  });

  it('breaking out of the loop stops the fan and its workers before the loop ends', async () => {
    const dir = tempDir();
    const input = endless();
    let procs: ReturnType<typeof procsOf> = [];
    for await (const _ of fan.stream(
      { command: [fixture('sig-cat')], workers: 3, block: '16K', env: { MF_PIDS: dir } },
      { input },
    )) {
      procs = procsOf(pidsIn(dir));
      if (procs.length === 3) break;
    }
    expect(procs.length, 'the workers were seen running').toBe(3);
    expect(await leftovers(procs, 0), 'no worker is left once the loop has ended').toEqual([]);
    expect(input.destroyed, 'the input was let go').toBe(true);
  });

  it('a slow reader holds the fan: the input is read only as far as the bounded queues go', async () => {
    const input = endless();
    const iterator = fan
      .stream({ command: ['cat'], workers: 2, block: '64K' }, { input })
      [Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Nothing more is read: the input stops growing once every queue on the way is full (seen
    // as no growth for a second), or it grows past what bounded queues can hold.
    const bound = 48 * 1024 * 1024;
    let before = -1;
    let since = Date.now();
    const settled = await holdsWithin(() => {
      if (input.produced !== before) {
        before = input.produced;
        since = Date.now();
      }
      return input.produced > bound || Date.now() - since > 1000;
    }, 60_000);
    expect(settled, 'the input stopped being read, or passed the bound').toBe(true);
    // Pipes, sockets and the fan's queues hold some MiB; without backpressure it would be all.
    expect(input.produced).toBeLessThan(bound);
    const held = input.produced;
    await iterator.next();
    await iterator.return?.(undefined);
    expect(input.produced - held).toBeLessThan(48 * 1024 * 1024);
  });

  it("a worker's failure is thrown by the loop, coded, after the output before it", async () => {
    const seen: string[] = [];
    const error = await (async () => {
      for await (const chunk of fan.stream(
        { command: 'head -n 1; exit 4', workers: 1, perBlock: true, block: 4 },
        { input: Readable.from(['a\nb\nc\n']) },
      )) {
        seen.push(chunk.toString());
      }
    })().then(
      () => null,
      (e: unknown) => e as ManifoldError,
    );
    expect(error?.code).toBe('manifold.failure');
    expect(error?.message).toMatch(/^worker 1 \(pid \d+: head -n 1; exit 4\) exited with status 4/);
  });

  it('an AbortSignal ends the loop with an AbortError and stops the workers', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const error = await (async () => {
      for await (const _ of fan.stream(
        { command: [fixture('sig-cat')], workers: 2, block: '16K', env: { MF_PIDS: dir } },
        { input: endless(), signal: controller.signal },
      )) {
        if (pidsIn(dir).length === 2) controller.abort();
      }
    })().then(
      () => null,
      (e: unknown) => e as ManifoldError,
    );
    expect(error?.name).toBe('AbortError');
    expect(error?.code).toBe('manifold.aborted');
    expect(await leftovers(procsOf(pidsIn(dir)), 2000)).toEqual([]);
  });

  // fan's output given to fan.stream: before, `unknown I/O option "output"; known: input,
  // signal` and no word of where the output is (in the options, the list of options' names).
  it.each([
    ['the I/O', {}, { output: process.stdout }, 'I/O option'],
    ['the options', { output: 'out.txt' }, {}, 'option'],
  ])('an output among %s is refused, saying where the output is', async (_, more, io, what) => {
    const error = await (async () => {
      for await (const _ of fan.stream({ command: ['cat'], ...more } as never, {
        input: Readable.from([]),
        ...io,
      }));
    })().then(
      () => null,
      (e: unknown) => e as ManifoldError,
    );
    expect(error?.code).toBe('manifold.usage');
    expect(error?.message).toBe(
      `unknown ${what} "output": fan.stream's output is the iterable it returns, read with ` +
        'for await (docs/api.md); to have it written to a stream, a file or a descriptor, call fan instead',
    );
  });

  it("writes nothing to the process's stdout or stderr", async () => {
    const result = await runApiScript(`
      import { Readable } from 'node:stream';
      let bytes = 0;
      for await (const chunk of fan.stream({ command: 'cat; echo noise >&2', workers: 2 }, { input: Readable.from(['a\\nb\\n']) })) bytes += chunk.length;
      if (bytes !== 4) process.exit(3);
    `);
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
