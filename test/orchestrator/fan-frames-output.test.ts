import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// A worker's output in frames (--join frames, or --split frames without --join) is cut into
// whole frames like any output; a frame it leaves cut short at its end, or a header over
// --max-record (text where frames were meant), fails the run, naming the worker's output, as
// the sorted merge always did. Before, every other merge passed such output on, exit 0: a
// stream no frames reader could read, several blocks' truncated frames run together.

const TWO_LINES = 'x\ny\n';
/** Two workers, a block a line each, their output read as frames. */
const FRAMES_FAN = ['fan', '-j', '2', '-N', '1', '--join', 'frames'];
const frame = (payload: string) => {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, Buffer.from(payload)]);
};

describe("a worker's output in frames", () => {
  const ways: [string, string[], Record<string, string>][] = [
    ['the ready merge', [], {}],
    ['--merge ordered', ['--merge', 'ordered'], {}],
    ['--retries', ['--retries', '1'], {}],
    ['--dispatch round-robin', ['--dispatch', 'round-robin'], {}],
    ['--per-block', ['--per-block'], {}],
    ['--tag', ['--tag'], {}],
    ["Node's spawn", [], { MANIFOLD_STARTER: 'spawn' }],
  ];
  for (const [name, args, env] of ways) {
    it(`${name}: a frame cut short fails the run, naming the worker's output`, async () => {
      const result = await run(
        manifold,
        [...FRAMES_FAN, ...args, '--', 'printf', '\\0\\0\\0\\005ab'],
        TWO_LINES,
        { env, timeout: 30_000 },
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /^manifold: worker \d output( of block \d \(records \d-\d\))?: truncated frame: its header says 5 bytes but the output ends after 2\n$/,
      );
      expect(result.stdout.length).toBe(0);
    });
  }

  it('text where frames were meant: its first bytes read as a header over --max-record', async () => {
    const result = await run(manifold, ['fan', '--join', 'frames', '--', 'echo', 'hello'], 'x\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: worker 1 output: frame header says 1\.6 GiB, more than the maximum record size 64 MiB: is it frames\? \(--max-record raises the limit\)\n$/,
    );
  });

  it('whole frames pass as they are, a header cut across reads included', async () => {
    // Two frames a worker, the second's header written apart from the first's bytes.
    const command = "printf '\\0\\0\\0\\002ab\\0\\0'; printf '\\0\\003cde'";
    const result = await run(
      manifold,
      [...FRAMES_FAN, '--merge', 'ordered', '--shell', '--', command],
      TWO_LINES,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const one = Buffer.concat([frame('ab'), frame('cde')]);
    expect(Buffer.from(result.stdout)).toEqual(Buffer.concat([one, one]));
  });
});
