import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, fixture, manifold, output, run } from '../helpers.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { tempDir } from '../support/temp.js';

// A text filter run as a process reads into memory it reads into again once nothing holds it,
// and encodes its output into memory it writes into again once written (filters/sdk/io.ts,
// scratch.ts). What must hold whatever the reads: a record that spans more reads than the two
// buffers that take turns, records with invalid UTF-8 returned unchanged (their original bytes
// are written from the read memory), and a stdout that cannot take everything at once.

const mfMap = bin('mf-map');
// Records starting with "x" are returned unchanged: their bytes, invalid UTF-8 or not, go out as
// they came; the rest upper-cased.
const EXPRESSION = 'r.startsWith("x") ? r : r.toUpperCase()';

/** ~6 MiB of lines of 0 to 299 bytes, a 3 MiB line in the middle, some of invalid UTF-8. */
function input(): { data: Buffer; expected: Buffer } {
  const lines: Buffer[] = [];
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state;
  };
  for (let i = 0; i < 40_000; i++) {
    if (i === 20_000) lines.push(Buffer.from(`big ${'abcdefghij'.repeat(300_000)}`));
    const length = next() % 300;
    const text = Array.from({ length }, () => String.fromCharCode(97 + (next() % 26))).join('');
    // Every 97th line carries bytes that are no UTF-8 and is returned as it came.
    lines.push(
      i % 97 === 0
        ? Buffer.concat([Buffer.from(`x${i}`), Buffer.from([0xff, 0xfe, 0xc3])])
        : Buffer.from(text),
    );
  }
  const expected = lines.map((line) =>
    line[0] === 0x78 ? line : Buffer.from(line.toString().toUpperCase()),
  );
  const join = (parts: Buffer[]) =>
    Buffer.concat(parts.flatMap((part) => [part, Buffer.from('\n')]));
  return { data: join(lines), expected: join(expected) };
}

describe('a text filter in a process, its read and output memory used again', () => {
  const { data, expected } = input();

  it('gives every record right: one over three buffers long, invalid UTF-8 returned unchanged', async () => {
    const result = await run(mfMap, [EXPRESSION], data);
    expect(result.stderr).toBe('');
    expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
  });

  it('with a non-blocking stdout, whose writes are queued: the same bytes', async () => {
    // The fixture sets O_NONBLOCK on stdout: writes past what the socket takes are queued, and
    // the memory they are in must not serve again until they are out.
    const result = await run(fixture('nonblocking-stdout'), [mfMap, EXPRESSION], data);
    expect(result.stderr).toBe('');
    expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
  });

  it('Buffer records of a filter that keeps none (keepsRecords: false): the same bytes', async () => {
    const out = await output(fixture('identity-transient.js'), [], data);
    expect(byteDiff(out, data)).toEqual(sameBytes(data));
  });

  describe('Buffer records copied into the output memory, between strings encoded there', () => {
    // A line longer than the output memory (4 MiB) goes out as it is, between copied ones.
    const input = Buffer.concat([data, Buffer.from(`${'y'.repeat(5 * 2 ** 20)}\nafter\nlast\n`)]);
    // What test/fixtures/mixed-output.js makes of each line, by its number.
    const lines = input.subarray(0, -1).toString('latin1').split('\n');
    const mixed = Buffer.concat(
      lines.map((line, i) => {
        const bytes = Buffer.from(line, 'latin1');
        const turn = line.startsWith('y') ? 0 : (i + 1) % 3;
        const out =
          turn === 0
            ? bytes
            : turn === 1
              ? Buffer.concat([Buffer.from('>'), bytes])
              : Buffer.from(line.toUpperCase(), 'utf8');
        return Buffer.concat([out, Buffer.from('\n')]);
      }),
    );

    it('in a process: in order, every byte', async () => {
      const out = await output(fixture('mixed-output.js'), [], input);
      expect(byteDiff(out, mixed)).toEqual(sameBytes(mixed));
    });

    it('with a non-blocking stdout, whose writes are queued', async () => {
      const result = await run(fixture('nonblocking-stdout'), [fixture('mixed-output.js')], input);
      expect(result.stderr).toBe('');
      expect(byteDiff(result.stdout, mixed)).toEqual(sameBytes(mixed));
    });

    it('as thread workers: the same bytes', async () => {
      const args = ['fan', '-j', '2', '--threads', '--merge', 'ordered', '--block', '256K'];
      const out = await output(manifold, [...args, '--', fixture('mixed-output.js')], input);
      expect(byteDiff(out, mixed)).toEqual(sameBytes(mixed));
    });
  });

  it('Buffer records kept to the end (the default): every one intact, its memory never reused', async () => {
    const out = await output(fixture('sort-flush.js'), [], data);
    const lines = data.subarray(0, -1).toString('latin1').split('\n');
    const sorted = Buffer.from(`${lines.sort().join('\n')}\n`, 'latin1');
    expect(byteDiff(out, sorted)).toEqual(sameBytes(sorted));
  });
});

describe('a filter process that ends while its non-blocking stdout is full', () => {
  it('waits for what is queued before it exits: the end of its output is not lost', async () => {
    // stdout is a FIFO that nothing reads until the filter has said it gives its last output:
    // 64 KiB go into the pipe and the rest waits in Node's stdout, which an exit would drop.
    const fifo = join(tempDir(), 'out');
    execFileSync('mkfifo', [fifo]);
    const holder = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const out = openSync(fifo, 'w');
    const reader = openSync(fifo, 'r');
    closeSync(holder);
    const filter = spawn(fixture('nonblocking-stdout'), [fixture('flush-full.js')], {
      stdio: ['ignore', out, 'pipe'],
    });
    const exited = once(filter, 'exit');
    closeSync(out);
    let stderr = '';
    filter.stderr!.setEncoding('utf8');
    await new Promise<void>((resolve) => {
      filter.stderr!.on('data', (text: string) => {
        stderr += text;
        if (stderr.includes('flushing\n')) resolve();
      });
      void exited.then(() => resolve());
    });
    const cat = spawn('cat', [], { stdio: [reader, 'pipe', 'inherit'] });
    // Listened for now: cat ends with the filter, and its 'close' can come before the filter's
    // 'exit' (seen once in 18 runs on a loaded machine, and in CI).
    const catClosed = once(cat, 'close');
    closeSync(reader);
    const chunks: Buffer[] = [];
    cat.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk));
    const [code] = await exited;
    await catClosed;
    const expected = Array.from({ length: 68 }, (_, i) => `${String(i % 10).repeat(1023)}\n`).join(
      '',
    );
    expect(code).toBe(0);
    expect(stderr).toBe('flushing\n');
    expect(Buffer.concat(chunks).toString()).toBe(expected);
  });
});
