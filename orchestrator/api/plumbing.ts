import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { finished, Readable, type Writable } from 'node:stream';
import type { Pipeline } from '../config/model.js';
import { readErrorLine } from '../fan/failure-lines.js';
import { gathered } from '../fan/gather.js';
import { changeMaxListeners } from '../fan/listener-limit.js';
import { endedEarly } from '../fan/output-stream.js';
import { openPipes } from '../pipeline/pipes.js';
import type { PipelineIO } from '../pipeline/run.js';
import {
  callerOutput,
  checkNamedOutput,
  type Input,
  type Output,
  outputDescriptor,
  resolveInput,
} from './io.js';

/**
 * The kernel pipes between a pipeline (descriptors all the way) and the caller's streams: a
 * Readable is copied into a pipe the first stage reads, a pipe the last stage writes is
 * copied into a Writable, the stages' stderr into its target.
 */
export class Plumbing {
  readonly #ours: number[] = [];
  readonly #copies: Promise<void>[] = [];
  readonly #cleanups: (() => void)[] = [];
  /** The caller's input or output failed: the run's one failure line, and the stream's error. */
  broken: { line: string; cause: unknown } | null = null;
  #onBroken: () => void = () => {};
  /** The output's pipe was closed early, its target closed or failed (`#watchOutput`). */
  #outputGone = false;
  /** The copies into the caller's output that end it: what an abort drops (`abandon`). */
  readonly #outputs: { source: Socket; target: Writable }[] = [];

  /** What to do once the caller's input or output fails (stop the stages). */
  onBroken(stop: () => void): void {
    this.#onBroken = stop;
    if (this.broken !== null) stop();
  }

  #break(line: string, cause: unknown): void {
    if (this.broken !== null) return;
    this.broken = { line, cause };
    this.#onBroken();
  }

  input(pipeline: Pipeline, input: Input | undefined, io: PipelineIO): Pipeline {
    if (input === undefined) return pipeline;
    const engine = resolveInput(input);
    if (engine.inputs !== null)
      return { ...pipeline, inputs: engine.inputs.map((f) => resolve(f)) };
    if (engine.inputFd !== undefined) {
      io.callerInputFd = engine.inputFd;
      return pipeline;
    }
    const [pipe] = openPipes(1);
    io.inputFd = pipe!.read;
    const socket = new Socket({ fd: pipe!.write, readable: false, writable: true });
    // The first stage may stop reading early (head): not an error of the run's.
    socket.on('error', () => {});
    const readable = engine.input!;
    // An input that fails or is destroyed before its end fails the run: its end would
    // otherwise look like the input's (a short output, status 0), or never come.
    this.#cleanups.push(
      finished(readable, { writable: false }, (error) => {
        if (error == null) return;
        socket.destroy();
        this.#break(`cannot read the input: ${messageOf(error)}`, error);
      }),
    );
    this.#bytesOf(readable, socket).pipe(socket);
    return pipeline;
  }

  /**
   * A stream in object mode (`Readable.from`) may give chunks that are not bytes: each is made
   * a Buffer on its way, as fan's reads make them (`bytesOf`), and any other chunk fails the run
   * with fan's words. Written into the pipe as it was, it threw in the caller's process. Those
   * already waiting are written together (`gathered`): a line an object, each its own write.
   */
  #bytesOf(readable: Readable, socket: Socket): Readable {
    if (!readable.readableObjectMode) return readable;
    // Not destroyed by a chunk refused: its 'close' would say "aborted" before the refusal.
    const bytes = Readable.from(gathered(readable, true, false), { objectMode: false });
    bytes.on('error', (error) => {
      socket.destroy();
      this.#break(readErrorLine(error, 'input'), error);
    });
    return bytes;
  }

  output(pipeline: Pipeline, output: Output | undefined, io: PipelineIO): Pipeline {
    // `/dev/fd/N`, from the call or the config, names a descriptor of the caller's, which may
    // use it after the run: written through a copy of ours, never closed (the last stage's
    // copy, given to it, was closed at the end, and with it the caller's).
    // So is a number N > 2.
    const named = typeof output === 'string' ? resolve(output) : (output ?? pipeline.output);
    if (typeof named === 'string') checkNamedOutput(named);
    const held = typeof named === 'string' ? outputDescriptor(named) : named;
    if (typeof held === 'number' && held > 2) {
      this.#readOutput(callerOutput(held), io);
      return { ...pipeline, output: null };
    }
    if (output === undefined) return pipeline;
    if (typeof output === 'string') return { ...pipeline, output: resolve(output) };
    if (typeof output === 'number') {
      io.outputFd = output;
      return pipeline;
    }
    this.#readOutput(output, io);
    return pipeline;
  }

  /**
   * The run writes to a pipe copied into `target`: its reader is manifold's, gone only once the
   * target closed or failed early. So the last stage killed by SIGPIPE while it was still read
   * died of another pipe, a failure, not manifold.outputClosed: its output was cut short.
   */
  #readOutput(target: Writable, io: PipelineIO): void {
    io.outputFd = this.from(target, true);
    io.outputGone = () => this.#outputGone;
  }

  /** A pipe whose read end is copied into `target`; returns the write end, for the stages. */
  from(target: Writable, end: boolean): number {
    const [pipe] = openPipes(1);
    if (!end) this.#ours.push(pipe!.write);
    const source = new Socket({ fd: pipe!.read, readable: true, writable: false });
    this.#copies.push(
      new Promise<void>((done) => {
        // Done once the copy is over: with `end`, once the target has written it all (pipe
        // never ends process.stdout or stderr: there, once the source has ended).
        const ends = end && target !== process.stdout && target !== process.stderr;
        const over = ends ? target : source;
        for (const event of [ends ? 'finish' : 'end', 'error', 'close'])
          over.once(event, () => done());
        if (ends) source.once('error', () => done());
        if (end) this.#watchOutput(target, source);
        else this.#drainIfGone(target, source);
        if (ends) this.#outputs.push({ source, target });
        source.pipe(target, { end });
      }),
    );
    return pipe!.write;
  }

  /**
   * The stages' stderr sink failing or destroyed: what they write there goes nowhere, read and
   * dropped, as by a command whose stderr is closed, so that a stage never waits on a full
   * stderr pipe (the run hung); the run goes on, its failures still in its error.
   */
  #drainIfGone(target: Writable, source: Socket): void {
    const gone = () => {
      source.unpipe(target);
      source.resume();
    };
    this.#listen(target, gone, gone);
  }

  /**
   * The output failing or destroyed before its end: the pipe from the last stage is closed, so
   * that it meets EPIPE as at a closed reader, instead of waiting for ever on a full pipe. A
   * destroyed output, or one whose own reader went (EPIPE), is a reader gone
   * (`manifold.outputClosed`); one that failed otherwise fails the run.
   */
  #watchOutput(target: Writable, source: Socket): void {
    const closed = () => {
      if (target.writableFinished) return;
      this.#outputGone = true;
      source.destroy();
    };
    const failed = (error: unknown) => {
      this.#outputGone = true;
      source.destroy();
      // EPIPE (process.stdout into `| head -1`) is a reader gone, as for fan (output-stream.ts),
      // not a failure of the run (`cannot write the output: write EPIPE`).
      const { code } = error as NodeJS.ErrnoException;
      if (code === 'EPIPE' || code === 'ECONNRESET') return;
      this.#break(`cannot write the output: ${messageOf(error)}`, error);
    };
    // Ended before the pipe's end ended it (another run sharing it, its owner): what was to come
    // would go nowhere, the pipe's copy waiting for a drain that never comes (the run hung).
    const finishedEarly = () => {
      if (!source.readableEnded) failed(endedEarly());
    };
    target.once('finish', finishedEarly);
    this.#cleanups.push(() => target.off('finish', finishedEarly));
    this.#listen(target, closed, failed);
  }

  /**
   * Listens once to a caller's stream closing and failing, until the run's end. Runs that write
   * to one stream at once each listen to it, here and through the pipe: two listeners of 'close'
   * and of 'error' each, which the stream's limit is raised by.
   */
  #listen(target: Writable, closed: () => void, failed: (error: unknown) => void): void {
    changeMaxListeners(target, 2);
    target.once('close', closed);
    target.once('error', failed);
    this.#cleanups.push(() => {
      target.off('close', closed);
      target.off('error', failed);
      changeMaxListeners(target, -2);
    });
  }

  /**
   * Stopped by an abort: the output's copy and the caller's Writable are destroyed, what waits
   * in them dropped, as the command line's output is by its signal. The run waited for a
   * stalled Writable to take everything (for ever).
   */
  abandon(): void {
    for (const { source, target } of this.#outputs.splice(0)) {
      source.destroy();
      target.destroy();
    }
  }

  /** Closes our copies of the write ends and waits for every copy to finish. */
  async finish(): Promise<void> {
    this.closeAll();
    await Promise.all(this.#copies);
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  closeAll(): void {
    for (const fd of this.#ours.splice(0)) closeSync(fd);
  }
}

/** A stream's error as a line says it: its message ("disk full", "Premature close"). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
