import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serveStdio } from '../../orchestrator/remote/serve.js';
import { type Frame, FrameKind, FrameReader } from '../../orchestrator/workers/frame/index.js';
import { messageFrame } from '../../orchestrator/workers/ssh/protocol.js';
import { manifold, run } from '../helpers.js';
import { holdsWithin } from '../support/proc.js';
import { spawnManifold, waitForExit, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// The host's side of `manifold fan --host`, spoken to directly: a test in the coordinator's
// place. Its own options (--heartbeat, --host-timeout, --probe, --receive) are otherwise only
// used by the coordinator, which always passes the same ones.

const RUN = '00000000000000ab';

/** A `manifold worker` with its frames read as they come. */
function worker(args: string[]) {
  const child = spawnManifold(['worker', ...args], { XDG_CACHE_HOME: tempDir() });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  const reader = new FrameReader((frame) => {
    frames.push(frame);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stdout!.on('data', (chunk: Buffer) => reader.push(chunk));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin!.on('error', () => {});
  const exit = waitForExit(child);
  return {
    child,
    frames,
    exit,
    stderr: () => stderr,
    /** Resolves once `count` frames pass `test`. */
    async until(test: (frame: Frame) => boolean, count: number): Promise<void> {
      while (frames.filter(test).length < count) {
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
    say(kind: FrameKind) {
      child.stdin!.write(Buffer.concat(messageFrame(kind, RUN, 0)));
    },
  };
}

const heartbeatOf = (run: string) => (frame: Frame) =>
  frame.kind === FrameKind.Heartbeat && frame.run === run;

describe('manifold worker --stdio (a host’s side of fan --host)', () => {
  it('says at once that it is there, then, once it knows the run, that it is alive every --heartbeat', async () => {
    const w = worker(['--stdio', '--heartbeat', '50']);
    await within(w.until(heartbeatOf('0'.repeat(16)), 1), 10_000, 'no first heartbeat');
    w.say(FrameKind.Heartbeat);
    // Five of them: at the default of a second they would take five seconds.
    await within(w.until(heartbeatOf(RUN), 5), 3_000, 'not five heartbeats in 3 s');
    // The coordinator closes the session: status 0.
    w.child.stdin!.end();
    expect((await within(w.exit, 10_000, 'did not end')).exitCode).toBe(0);
    expect(w.stderr()).toBe('');
  });

  it('gives up with status 1 when it hears nothing for --host-timeout; heartbeats keep it', async () => {
    const w = worker(['--stdio', '--heartbeat', '50', '--host-timeout', '1000']);
    w.say(FrameKind.Heartbeat);
    // The coordinator's heartbeats, three times the timeout long: it stays.
    const beat = setInterval(() => w.say(FrameKind.Heartbeat), 100);
    await within(w.until(heartbeatOf(RUN), 60), 20_000, 'not 60 heartbeats');
    clearInterval(beat);
    expect(w.child.exitCode).toBe(null);
    // Then silence, its stdin still open: it gives up (the default would wait 30 s).
    expect((await within(w.exit, 10_000, 'did not give up')).exitCode).toBe(1);
  });

  it('bytes that are no frame: an Error frame saying why, and status 1', async () => {
    const w = worker(['--stdio']);
    w.child.stdin!.write('hello, this is no frame at all, but long enough to be read as one\n');
    expect((await within(w.exit, 10_000, 'did not end')).exitCode).toBe(1);
    const errors = w.frames.filter((frame) => frame.kind === FrameKind.Error);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.payload.toString()).toMatch(/magic|frame/i);
  });

  it.each([
    [
      '--heartbeat 0',
      ['--stdio', '--heartbeat', '0'],
      /--heartbeat must be a whole number of milliseconds from 1 to 2147483647 \(got 0\)/,
    ],
    [
      '--host-timeout soon',
      ['--stdio', '--host-timeout', 'soon'],
      /--host-timeout must be a whole number of milliseconds from 1 to 2147483647 \(got soon\)/,
    ],
    // Past Node's longest timer: its warning, and a timer of 1 ms (QA).
    [
      '--host-timeout past the longest timer',
      ['--stdio', '--host-timeout', '99999999999999999'],
      /--host-timeout must be a whole number of milliseconds from 1 to 2147483647 \(got 99999999999999999\)/,
    ],
    [
      '--heartbeat past the longest timer',
      ['--stdio', '--heartbeat', '4000000000'],
      /--heartbeat must be a whole number of milliseconds from 1 to 2147483647 \(got 4000000000\)/,
    ],
    [
      'a command with --stdio',
      ['--stdio', 'cat'],
      /manifold worker --stdio takes no command \(got 'cat'\)/,
    ],
    [
      'neither --stdio nor --queue',
      [],
      /manifold worker needs --queue <url> -- <command>, or --stdio/,
    ],
  ])('%s: one line, status 2', async (_name, args, message) => {
    const result = await run(manifold, ['worker', ...args], '', { timeout: 10_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^manifold: ${message.source}.*\\n$`));
  });
});

describe('manifold worker --probe and --receive', () => {
  it('--probe says its version and cache folder, and ends with its stdin', async () => {
    const cache = tempDir();
    const result = await run(manifold, ['worker', '--probe'], '', {
      env: { XDG_CACHE_HOME: cache },
      timeout: 10_000,
    });
    const version = (await run(manifold, ['--version'])).stdout.toString().trim();
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe(`manifold-worker ${version} ${cache}/manifold/files\n`);
  });

  it('--probe waits while its stdin is open (the connection check holds the session)', async () => {
    const child = spawnManifold(['worker', '--probe'], { XDG_CACHE_HOME: tempDir() });
    const exit = waitForExit(child);
    const line = await within(once(child.stdout!, 'data'), 10_000, 'no probe line');
    expect(String(line[0])).toMatch(/^manifold-worker /);
    expect(child.exitCode).toBe(null);
    child.stdin!.end();
    expect((await within(exit, 10_000, 'did not end')).exitCode).toBe(0);
  });

  it('--receive: bytes that are no frame give an Error frame and status 1', async () => {
    const w = worker(['--receive']);
    w.child.stdin!.write('no frame here, only some text that is long enough for a header\n');
    expect((await within(w.exit, 10_000, 'did not end')).exitCode).toBe(1);
    expect(w.frames.map((frame) => frame.kind)).toEqual([FrameKind.Error]);
  });
});

describe('serveStdio, its coordinator not reading', () => {
  it('pauses its instance once per stall: heartbeats sent meanwhile add no listener each', async () => {
    // Its output completes no write until told: after the first, each send finds it full.
    const pending: (() => void)[] = [];
    const output = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        pending.push(() => callback());
      },
    });
    let writes = 0;
    const write = output.write.bind(output) as (...args: unknown[]) => boolean;
    output.write = ((...args: unknown[]) => {
      writes++;
      return write(...args);
    }) as typeof output.write;
    const input = new PassThrough();
    const served = serveStdio({ input, output, heartbeat: 5, timeout: 60_000 });
    const start = { command: { argv: ['yes'], shell: false }, slot: 1, workers: 1 };
    input.write(Buffer.concat(messageFrame(FrameKind.Hello, RUN, 0, start)));
    // Forty sends (its Hello's answer, output, heartbeats) while the stall lasts.
    expect(await holdsWithin(() => writes >= 40, 10_000), 'forty sends').toBe(true);
    expect(output.listenerCount('drain')).toBeLessThanOrEqual(1);
    // The coordinator goes: the instance is killed and the session ends.
    input.end();
    output.on('drain', () => {});
    while (pending.length > 0) pending.shift()!();
    const release = setInterval(() => {
      while (pending.length > 0) pending.shift()!();
    }, 5);
    try {
      expect(await within(served, 10_000, 'the session did not end')).toBe(0);
    } finally {
      clearInterval(release);
    }
  });
});
