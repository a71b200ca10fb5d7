import type { Readable, Writable } from 'node:stream';
import { Writable as WritableStream } from 'node:stream';
import { commandHoldsBytes } from '../workers/command.js';
import {
  encodeFrame,
  type Frame,
  FrameError,
  FrameKind,
  FrameReader,
} from '../workers/frame/index.js';
import { ProcessTransport } from '../workers/process/transport.js';
import { workerKind } from '../workers/registry.js';
import {
  END_INPUT,
  messageFrame,
  STDERR,
  STDOUT,
  type StartMessage,
  stopOf,
} from '../workers/ssh/protocol.js';
import type {
  SlotSpec,
  Transport,
  TransportFactory,
  TransportOutcome,
  WorkerKind,
} from '../workers/transport.js';

/** How a `manifold worker --stdio` serves its coordinator. */
export interface ServeOptions {
  input: Readable;
  output: Writable;
  /** How often it says it is alive, in milliseconds. */
  heartbeat: number;
  /** How long it waits, hearing nothing from its coordinator, before it gives up. */
  timeout: number;
}

/**
 * The far side of an SSH session (`manifold worker --stdio`): frames in on `input`, frames out on
 * `output`. Each Hello starts an instance of the user's command as a local process, with the
 * process transport every local worker has; its stdin is fed from Block frames, each credited
 * back once the process has taken it, and its stdout and stderr go back as Output frames.
 * Resolves with the exit status once the coordinator has gone and no instance runs.
 */
export function serveStdio(options: ServeOptions): Promise<number> {
  const { input, output, heartbeat, timeout } = options;
  let run = '';
  let instance: Transport | null = null;
  let outputSeq = 0;
  let status: number | null = null;
  let heard = Date.now();
  /** The instance paused until the coordinator reads on, while it is. */
  let held: Transport | null = null;
  let waiting = false;
  let resolveDone: (status: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  const send = (buffers: Buffer[], callback?: () => void) => {
    if (output.destroyed) return;
    output.cork();
    for (let i = 0; i < buffers.length; i++)
      output.write(buffers[i], i === buffers.length - 1 ? callback : undefined);
    output.uncork();
    // The coordinator reads slower than the command writes: hold the command's output back.
    // Once per stall: heartbeats and credits sent meanwhile must not add a listener each.
    if (output.writableNeedDrain && instance !== null && held !== instance) {
      held = instance;
      held.pause();
      if (!waiting) {
        waiting = true;
        output.once('drain', () => {
          waiting = false;
          held?.resume();
          held = null;
        });
      }
    }
  };

  const finish = (code: number) => {
    if (status === null) status = code;
    input.pause();
    if (instance === null) {
      clearInterval(timer);
      resolveDone(status);
    } else {
      instance.stop('kill');
    }
  };

  const start = (message: StartMessage) => {
    const stderr = new WritableStream({
      write: (chunk: Buffer, _encoding, callback) => {
        if (chunk.length === 0) callback();
        else send(outputFrame(run, outputSeq++, STDERR, chunk), callback);
      },
    });
    let slot: TransportFactory | null = null;
    const events = {
      output: (chunk: Buffer) => send(outputFrame(run, outputSeq++, STDOUT, chunk)),
      end: (end: TransportOutcome) => {
        instance = null;
        slot?.close?.();
        // After the last of its stderr: lines the stream still queued (each waits for the one
        // before to be sent) went out after the End, and the coordinator had done with them.
        stderr.write(Buffer.alloc(0), () => {
          send(messageFrame(FrameKind.End, run, outputSeq++, end));
          if (status !== null) finish(status);
        });
      },
    };
    // One instance at a time runs in this process: it may move to the run's folder.
    if (message.cwd !== undefined) process.chdir(message.cwd);
    const env = { ...message.command.env, ...message.env };
    const spec: SlotSpec = {
      ...{ slot: message.slot, workers: message.workers },
      command: { ...message.command, env },
      tag: false,
      stderr: { stream: stderr, tagged: false },
      ...(message.okStatus === undefined ? {} : { okStatus: message.okStatus }),
    };
    // A command with bytes that are not UTF-8 is started by a process starter, which passes
    // them as given (Node's spawn, which starts the others here, would refuse it): a slot's.
    if (commandHoldsBytes(spec.command)) slot = (workerKind('process') as WorkerKind).forSlot(spec);
    const transport =
      slot === null
        ? new ProcessTransport(spec, events, undefined, message.block)
        : slot.open(events, message.block);
    instance = transport;
    // Its pid, for the coordinator's messages, once it runs: a starter's process has it a moment
    // after the start (said then as -1, the messages named none); one that never ran has none.
    if (transport instanceof ProcessTransport)
      transport.whenRunning((pid) => send(messageFrame(FrameKind.Hello, run, 0, { pid })));
  };

  const onFrame = (frame: Frame) => {
    heard = Date.now();
    if (run === '') run = frame.run;
    if (frame.run !== run) {
      throw new FrameError(`a frame of run ${frame.run} in a session of run ${run}`);
    }
    switch (frame.kind) {
      case FrameKind.Hello:
        if (instance !== null) throw new FrameError('a Hello while an instance still runs');
        outputSeq = 1;
        start(JSON.parse(frame.payload.toString()) as StartMessage);
        break;
      case FrameKind.Block: {
        const parts = frame.parts!;
        let bytes = 0;
        for (const part of parts) bytes += part.length;
        instance?.send(parts, () => send(messageFrame(FrameKind.Credit, run, bytes)));
        break;
      }
      case FrameKind.End:
        if (frame.flags === END_INPUT) instance?.closeInput();
        else instance?.stop(stopOf(frame));
        break;
      default:
        break;
    }
  };

  // Said at once, before any run is known: the coordinator holds its frames back until it hears
  // that this session was opened (sshd may refuse one over a busy connection).
  send(messageFrame(FrameKind.Heartbeat, '0'.repeat(16), 0));
  // A block is written to the command from the chunks it came in: no copy, no buffer of its own.
  const reader = new FrameReader(onFrame, { pieces: true });
  input.on('data', (chunk: Buffer) => {
    try {
      reader.push(chunk);
    } catch (error) {
      const line = error instanceof Error ? error.message : String(error);
      send(messageFrame(FrameKind.Error, run || '0000000000000000', 0, line));
      finish(1);
    }
  });
  input.on('end', () => finish(0));
  input.on('error', () => finish(1));
  output.on('error', () => finish(1));
  const timer = setInterval(() => {
    if (run !== '') send(messageFrame(FrameKind.Heartbeat, run, 0));
    if (Date.now() - heard > timeout) finish(1);
  }, heartbeat);
  return done;
}

function outputFrame(run: string, seq: number, channel: number, chunk: Buffer): Buffer[] {
  return encodeFrame({ kind: FrameKind.Output, run, seq, channel, payload: chunk });
}
