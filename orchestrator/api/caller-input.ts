import { spawn } from 'node:child_process';
import { constants, fstatSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { EngineInput } from './io.js';

/**
 * What fan reads of an input given as the caller's descriptor N > 2 of a pipe or a socket: a
 * stream of manifold's own, which `release` ends, and the caller's descriptor left open, as run
 * leaves it: the engine closes a descriptor it reads to its end (an earlier stage's pipe is its
 * own), which would close the caller's. A pipe is opened anew through /proc; a
 * socket, which cannot be (ENXIO), is read by a `cat` given it, as run's first stage reads one.
 */
export function readCallerInput(engine: EngineInput): { engine: EngineInput; release(): void } {
  const fd = engine.inputFd;
  if (fd === undefined || fd <= 2) return { engine, release() {} };
  const stat = fstatSync(fd);
  if (!stat.isFIFO() && !stat.isSocket()) return { engine, release() {} };
  const { inputFd: _caller, ...rest } = engine;
  const reading = stat.isFIFO() ? pipeCopy(fd) : catOf(fd);
  return { engine: { ...rest, input: reading.input }, release: reading.release };
}

function pipeCopy(fd: number): { input: Readable; release(): void } {
  // Not waiting for a writer: a reader of a pipe whose writers are gone reads its end.
  const copy = openSync(`/proc/self/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  const input = new Socket({ fd: copy, readable: true, writable: false });
  return { input, release: () => input.destroy() };
}

/**
 * The socket `fd` as `cat` reads it, given it: a cat that fails (its read failed) fails the
 * stream with its words, rather than end it as if the input had; one still reading when the fan
 * ends (it stopped early) is killed.
 */
function catOf(fd: number): { input: Readable; release(): void } {
  const cat = spawn('cat', [], { stdio: [fd, 'pipe', 'pipe'] });
  const input = new PassThrough();
  let said = '';
  let released = false;
  cat.stderr!.setEncoding('utf8').on('data', (text: string) => {
    if (said.length < 4096) said += text;
  });
  cat.stdout!.pipe(input, { end: false });
  cat.on('error', (error) => input.destroy(error));
  cat.on('close', (code, signal) => {
    if (code === 0) input.end();
    else if (!released)
      input.destroy(new Error(said.trim() || `cat exited with ${code ?? signal}`));
  });
  return {
    input,
    release: () => {
      released = true;
      if (cat.exitCode === null && cat.signalCode === null) cat.kill('SIGKILL');
      input.destroy();
    },
  };
}
