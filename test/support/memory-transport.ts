import { GREETING, outputHeader, TO_WORKER_HEADER, TRAILING } from '../../filters/protocol.js';
import type {
  SlotSpec,
  StopReason,
  Transport,
  TransportEvents,
  TransportFactory,
  TransportOutcome,
  WorkerKind,
} from '../../orchestrator/workers/transport.js';

// A kind of worker whose instances are JS functions over the bytes they are given, in this
// process: it drives the fan engine's dispatch, merges, retries and halting without spawning,
// fast and the same on every run. Each step runs in a microtask of its own, in order, so output
// and ends come as they would from a process: after the call that caused them.

/** Where an instance is: its slot, and which instance and send this is. */
export interface MemoryContext {
  slot: number;
  workers: number;
  /** 1-based: instances the kind has opened, over all slots, this one included. */
  instance: number;
  /** 1-based: sends this instance has taken, this one included (0 at the end of input). */
  send: number;
}

/** What an instance does about a send, or at the end of its input. */
export interface Reply {
  /** Written before anything else the reply does. */
  output?: string | Buffer;
  /** Ends the instance as failed, with this reason: `exited with status 3`. */
  fail?: string;
  /** With `fail`: what it runs was not found (the run's status is then 127). */
  notFound?: boolean;
  /** With `fail`: false when trying again cannot help. @default true */
  retryable?: boolean;
  /** Ends the instance well, leaving the rest of its input unread (as `head` does). */
  exit?: boolean;
}

/** An instance's behaviour: a fresh one per instance, so it may keep state (an aggregate). */
export interface MemoryProgram {
  /** The reply to one send's bytes (a block's records, after its header for the protocol). */
  take(input: Buffer, context: MemoryContext): string | Buffer | Reply;
  /** The reply once its input is closed: an aggregate's flush. */
  end?(context: MemoryContext): string | Buffer | Reply;
}

export interface MemoryScript {
  program: (context: MemoryContext) => MemoryProgram;
  /** Output is written in pieces of this many bytes at most (each a separate `output`). */
  piece?: number;
  /** Before each send is taken: a promise it waits for (a stalled worker). */
  gate?: (context: MemoryContext) => Promise<void> | undefined;
  /** At open: a reason the instance cannot start. */
  cannotStart?: (context: MemoryContext) => string | undefined;
  /** Asked to stop gracefully, it goes on (a process that ignores SIGTERM); killed, it ends. */
  stubborn?: boolean;
}

/** A memory kind, with what it has seen, for tests to check. */
export interface MemoryKind extends WorkerKind {
  /** How many instances it has opened. */
  readonly opened: number;
  /** The instances stopped by manifold, and how. */
  readonly stops: { slot: number; instance: number; reason: StopReason }[];
}

/** A kind of worker whose instances run `script` in this process. */
export function memoryKind(script: MemoryScript): MemoryKind {
  const state = { opened: 0, stops: [] as MemoryKind['stops'] };
  return {
    get opened() {
      return state.opened;
    },
    stops: state.stops,
    forSlot: (spec: SlotSpec): TransportFactory => ({
      open: (events) => new MemoryTransport(spec, ++state.opened, script, events, state.stops),
    }),
  };
}

class MemoryTransport implements Transport {
  readonly #context: MemoryContext;
  readonly #script: MemoryScript;
  readonly #events: TransportEvents;
  readonly #program: MemoryProgram;
  readonly #stops: MemoryKind['stops'];
  /** Each step waits for the one before: the instance's input is taken in order. */
  #queue: Promise<void> = Promise.resolve();
  #unsent = 0;
  #paused: Buffer[] | null = null;
  #pendingEnd: TransportOutcome | null = null;
  #ended = false;

  constructor(
    spec: SlotSpec,
    instance: number,
    script: MemoryScript,
    events: TransportEvents,
    stops: MemoryKind['stops'],
  ) {
    this.#context = { slot: spec.slot, workers: spec.workers, instance, send: 0 };
    this.#script = script;
    this.#events = events;
    this.#stops = stops;
    this.#program = script.program(this.#context);
    const refused = script.cannotStart?.(this.#context);
    if (refused !== undefined)
      this.#step(() => this.#end({ kind: 'cannot-start', reason: refused }));
  }

  get unsent(): number {
    return this.#unsent;
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    const input = Buffer.concat(buffers);
    this.#unsent += input.length;
    const context = { ...this.#context, send: ++this.#context.send };
    this.#step(async () => {
      await this.#script.gate?.(context);
      if (this.#ended) return;
      this.#unsent -= input.length;
      this.#reply(this.#program.take(input, context));
      if (!this.#ended) done?.();
    });
  }

  closeInput(): void {
    this.#step(() => {
      const end = this.#program.end?.({ ...this.#context, send: 0 });
      if (end !== undefined) this.#reply(end);
      if (!this.#ended) this.#end({ kind: 'ok', reason: 'ended' });
    });
  }

  pause(): void {
    this.#paused ??= [];
  }

  resume(): void {
    const held = this.#paused ?? [];
    this.#paused = null;
    for (const chunk of held) this.#events.output(chunk);
    const end = this.#pendingEnd;
    this.#pendingEnd = null;
    if (end !== null) this.#events.end(end);
  }

  stop(reason: StopReason): void {
    this.#stops.push({ slot: this.#context.slot, instance: this.#context.instance, reason });
    if (this.#ended || (reason === 'graceful' && this.#script.stubborn)) return;
    // Stopped, an instance's output is not wanted any more: what it held goes. It ends after
    // the call, as a process does, even one stalled in the middle of a step.
    this.#ended = true;
    this.#paused = null;
    queueMicrotask(() => this.#events.end({ kind: 'stopped' }));
  }

  describe(): string {
    return `worker ${this.#context.slot} (memory ${this.#context.instance})`;
  }

  /** Runs `action` after every step before it, unless the instance has ended by then. */
  #step(action: () => void | Promise<void>): void {
    this.#queue = this.#queue.then(() => (this.#ended ? undefined : action()));
  }

  #reply(reply: string | Buffer | Reply): void {
    const { output, fail, notFound, retryable = true, exit } = partsOf(reply);
    if (output !== undefined) this.#output(Buffer.from(output));
    if (fail !== undefined) {
      this.#end({
        kind: 'failed',
        reason: fail,
        retryable,
        ...(notFound ? { notFound } : {}),
      });
    } else if (exit) this.#end({ kind: 'ok', reason: 'ended' });
  }

  #output(bytes: Buffer): void {
    const piece = this.#script.piece ?? bytes.length;
    for (let at = 0; at < bytes.length; at += piece) {
      const chunk = bytes.subarray(at, at + piece);
      if (this.#paused !== null) this.#paused.push(chunk);
      else this.#events.output(chunk);
    }
  }

  #end(end: TransportOutcome): void {
    this.#ended = true;
    if (this.#paused !== null) this.#pendingEnd = end;
    else this.#events.end(end);
  }
}

/** The records of `input` cut after each `\n`, the last perhaps without one. */
export function lines(input: Buffer): string[] {
  return input.toString().split(/(?<=\n)/);
}

/** A program that maps each line (with its newline) to a string, one call per line. */
export function eachLine(map: (line: string, context: MemoryContext) => string): MemoryProgram {
  return {
    take: (input, context) =>
      lines(input)
        .map((line) => map(line, context))
        .join(''),
  };
}

/** A reply as its parts. */
function partsOf(reply: string | Buffer | Reply): Reply {
  return typeof reply === 'string' || Buffer.isBuffer(reply) ? { output: reply } : reply;
}

/**
 * Speaks manifold's block protocol around `program`: each send is one block's header and
 * bytes; the reply goes back framed for that block, then the block's end. What it writes at
 * the end of its input goes back as trailing output. Its first output is the greeting, as an SDK
 * filter's is.
 */
export function protocol(program: MemoryProgram): MemoryProgram {
  let greeted = false;
  const greet = (parts: Buffer[]) => {
    if (!greeted) parts.unshift(outputHeader(GREETING, 0));
    greeted = true;
    return parts;
  };
  return {
    take(input, context) {
      const seq = input.readUInt32BE(0);
      const { output, ...rest } = partsOf(program.take(input.subarray(TO_WORKER_HEADER), context));
      const payload = Buffer.from(output ?? '');
      const parts = payload.length > 0 ? [outputHeader(seq, payload.length), payload] : [];
      // A failing block's output stops where it failed, its end unsaid.
      if (rest.fail === undefined && !rest.exit) parts.push(outputHeader(seq, 0));
      return { ...rest, output: Buffer.concat(greet(parts)) };
    },
    end(context) {
      const { output, ...rest } = partsOf(program.end?.(context) ?? '');
      const payload = Buffer.from(output ?? '');
      const parts = greet([outputHeader(TRAILING, payload.length), payload]);
      return { ...rest, output: Buffer.concat(parts) };
    },
  };
}
