import type { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import {
  type FromThread,
  runBytes,
  THREAD_PROTOCOL,
  THREAD_UNDERSTOOD,
  type ToThread,
} from '../../../filters/transfer.js';
import { flagOf } from '../../options/fan.js';
import { commandText, stderrTag } from '../command.js';
import { takeGift } from '../gift.js';
import { otherVersion } from '../protocol-version.js';
import { prefixLines } from '../stderr-prefix.js';
import { signalOf } from '../termseq.js';
import type {
  SlotSpec,
  StopReason,
  Transport,
  TransportEvents,
  TransportOutcome,
} from '../transport.js';
import { childrenWaited, signalChildren } from './children.js';
import { loadErrorLine } from './loader.js';
import { giveBack, handOn, pool, wholeRuns } from './memory.js';
import { isNode, type ThreadModule } from './module.js';
import { threadOutcome } from './outcome.js';
import { startFilterThread } from './start.js';

interface Sent {
  bytes: number;
  done: ((error?: Error | null) => void) | undefined;
}

/**
 * One worker thread running an SDK filter's module in manifold's process. Bytes go to it as
 * transferred ArrayBuffers (one per send, copied once into memory of its own) and its output
 * comes back the same way. The thread says how many sends it has finished: the oldest send not
 * finished is the one it works on, and what was sent behind it is `unsent`. While paused, what
 * it sends back is held and nothing it finishes counts, so it is given no more.
 */
export class ThreadTransport implements Transport {
  readonly #spec: SlotSpec;
  readonly #module: ThreadModule;
  readonly #events: TransportEvents;
  readonly #worker: Worker;
  readonly #threadId: number;
  readonly #stdio: { release(): void }[];
  /** Where its diagnostics go, and what goes before each line (its number, under --tag). */
  readonly #stderr: { target: Writable; prefix: string };
  readonly #sends: Sent[] = [];
  #finished = 0;
  #unsent = 0;
  #held: FromThread[] | null = null;
  #heldEnd: TransportOutcome | null = null;
  #stopped = false;
  #error: Error | null = null;
  #refused: string | null = null;
  /** The thread's id in the system, once it has said it: its children are ended with it. */
  #task: number | null = null;
  /** Its end has been told: by its exit, or by its filter's end while it stays (`ended`). */
  #told = false;
  /** The thread waits for its output to be taken (its greeting said so): it is told. */
  #tellsTaken = false;
  /** Its filter has a flush (its greeting said so). */
  flushes = false;

  constructor(spec: SlotSpec, module: ThreadModule, events: TransportEvents) {
    this.#spec = spec;
    this.#module = module;
    this.#events = events;
    const worker = startFilterThread(spec, module, this.#name('threadHeap'));
    this.#worker = worker;
    this.#threadId = worker.threadId;
    // A thread's console.log is not output (that is what a transform returns): both of its
    // streams are diagnostics, and go where a process's stderr would.
    const to = spec.stderr;
    const prefix = stderrTag(spec);
    const target = to?.stream ?? process.stderr;
    this.#stderr = { target, prefix };
    this.#stdio = [
      prefixLines(worker.stderr, prefix, target),
      prefixLines(worker.stdout, prefix, target),
    ];
    worker.on('message', (message: FromThread) => {
      // Taken at once, paused or not: a thread stopped while paused still has its children.
      if (message.kind === 'task') this.#task = message.id;
      // A thread stopped runs on until it has waited for its children: nothing more of it counts.
      else if (this.#stopped) return;
      else if (this.#held !== null) this.#held.push(message);
      else this.#take(message);
    });
    worker.on('error', (error) => {
      this.#error ??= error;
    });
    worker.on('exit', (code) => this.#onExit(code));
  }

  get unsent(): number {
    return this.#unsent;
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    if (bytes === 0) {
      if (done !== undefined) queueMicrotask(done);
      return;
    }
    // A block read from a file into memory of its own moves as it is; anything else is copied.
    const gift = buffers.length === 2 ? takeGift(buffers[0]!, buffers[1]!) : null;
    const buffer = gift ?? pool.fill(buffers, bytes);
    const message: ToThread = { kind: 'bytes', buffer, length: bytes };
    this.#worker.postMessage(message, [buffer]);
    this.#sends.push({ bytes, done });
    // The first send waiting is taken at once; the others wait behind it.
    if (this.#sends.length === 1) {
      if (done !== undefined) queueMicrotask(done);
    } else {
      this.#unsent += bytes;
    }
  }

  closeInput(): void {
    const message: ToThread = { kind: 'end' };
    this.#worker.postMessage(message);
  }

  pause(): void {
    this.#held ??= [];
  }

  resume(): void {
    const held = this.#held;
    this.#held = null;
    while (held !== null && held.length > 0) {
      // Output passed on may pause the transport again: the rest waits once more.
      if (this.#held !== null) {
        (this.#held as FromThread[]).push(...held);
        return;
      }
      this.#take(held.shift()!);
    }
    const end = this.#heldEnd;
    this.#heldEnd = null;
    if (end !== null) this.#tell(end);
  }

  /**
   * Ends the thread, even one in an endless loop: a thread can be terminated anywhere. The
   * processes it started get the signal a process worker's group would, and the thread is
   * terminated once it has waited for them (children.ts): a later stop only signals them.
   */
  stop(reason: StopReason): void {
    const task = this.#task;
    if (task !== null) signalChildren(task, signalOf(reason));
    this.#held = null;
    for (const stream of this.#stdio) stream.release();
    if (this.#stopped) return;
    this.#stopped = true;
    if (task === null) void this.#worker.terminate();
    else void childrenWaited(task).then(() => this.#worker.terminate());
  }

  /** `worker 2 (thread 3: mf-map r.toUpperCase() ...)`: this thread, the command as given. */
  describe(): string {
    return `worker ${this.#spec.slot} (thread ${this.#threadId}: ${commandText(this.#spec.command)})`;
  }

  /** An option as this fan's messages name it: manifold fan's flag, or a config's key. */
  #name(option: 'threads' | 'threadHeap'): string {
    return (this.#spec.optionName ?? flagOf)(option);
  }

  #take(message: FromThread): void {
    switch (message.kind) {
      case 'output': {
        for (const buffer of message.returned) giveBack(buffer);
        const runs = message.runs ?? wholeRuns(message.lengths ?? []);
        // Taken now, as a pipe's reader takes what it reads: the thread may send as much again.
        // While the fan holds the transport paused, nothing is taken, and the thread waits.
        if (this.#tellsTaken) this.#tellTaken(runs);
        handOn(message.buffers, runs, this.#events.output);
        this.#finish(message.finished);
        return;
      }
      case 'greeting':
        if (!THREAD_UNDERSTOOD.includes(message.protocol))
          this.#refuse(`${this.#filterName} ${otherVersion(message, THREAD_PROTOCOL)}`);
        this.#tellsTaken = message.waitsForTaken === true;
        this.flushes = message.flush === true;
        return;
      case 'not-a-filter': {
        const { file } = this.#module;
        const name = this.#filterName;
        this.#refuse(
          `${name} is not an SDK filter: ${name === file ? 'it' : file} ran without calling defineFilter(...).main() (${this.#name('threads')} runs SDK filters only)`,
        );
        return;
      }
      case 'load-error':
        this.#refuse(loadErrorLine(this.#module.file, message));
        return;
      case 'usage-error':
        this.#sayUsageError(message.line);
        return;
      case 'ended':
        // The filter has ended; its thread stays only to wait for the processes it started.
        this.#worker.unref();
        this.#tell(this.#outcome(message.status));
        return;
    }
  }

  /** The filter as its command names it (`mf-map`), or its module where Node runs it. */
  get #filterName(): string {
    const program = this.#spec.command.argv[0]!;
    return isNode(program) ? this.#module.file : program;
  }

  #tellTaken(runs: number[]): void {
    const message: ToThread = { kind: 'taken', bytes: runBytes(runs) };
    this.#worker.postMessage(message);
  }

  /** The thread has finished `finished` sends in all: the next one waiting is now taken. */
  #finish(finished: number): void {
    while (this.#finished < finished && this.#sends.length > 0) {
      this.#finished++;
      this.#sends.shift();
      const next = this.#sends[0];
      if (next !== undefined) {
        this.#unsent -= next.bytes;
        next.done?.();
      }
    }
  }

  /**
   * Every thread of the fan runs the same command, so a usage error is most often every one's,
   * and each thread started again says it again: manifold, which owns the threads' stderr, shows
   * each distinct line once (a process's stderr is its own, and goes on as it comes).
   */
  #sayUsageError(line: string): void {
    const shown = this.#spec.usageErrors;
    if (shown?.has(line)) return;
    shown?.add(line);
    const { target, prefix } = this.#stderr;
    if (!target.destroyed) target.write(`${prefix}${line}\n`);
  }

  #refuse(reason: string): void {
    this.#refused ??= reason;
    void this.#worker.terminate();
  }

  #onExit(code: number): void {
    for (const stream of this.#stdio) stream.release();
    const end = this.#outcome(code);
    if (this.#held !== null) this.#heldEnd = end;
    else this.#tell(end);
  }

  /** Tells the fan the thread's end, once: a thread that said its filter ended exits later. */
  #tell(end: TransportOutcome): void {
    if (this.#told) return;
    this.#told = true;
    this.#events.end(end);
  }

  #outcome(exitCode: number): TransportOutcome {
    return threadOutcome({
      threadId: this.#threadId,
      exitCode,
      stopped: this.#stopped,
      refused: this.#refused,
      error: this.#error,
      heapLimit: this.#spec.heapLimit,
      heapOption: this.#name('threadHeap'),
    });
  }
}
