import { PassThrough } from 'node:stream';
import { commandText, stderrTag } from '../command.js';
import { encodeFrame, type Frame, FrameKind } from '../frame/index.js';
import { prefixLines } from '../stderr-prefix.js';
import type {
  InstanceBlock,
  SlotSpec,
  StopReason,
  Transport,
  TransportEvents,
  TransportOutcome,
} from '../transport.js';
import { END_INPUT, messageFrame, STDERR, type StartedMessage, stopFrame } from './protocol.js';
import type { Session, SessionOwner } from './session.js';

/**
 * Bytes sent to a remote instance and not yet taken by its command, past which sends wait: ssh's
 * own channel window (2 MiB). More only waits in ssh's and sshd's buffers, which grow for it:
 * 8 MiB cost ssh and sshd about three times the CPU (page faults), measured in docs/hosts.md.
 */
export const CREDIT_WINDOW = 2 * 1024 * 1024;

/**
 * Bytes on their way that do not count as the slot's backlog: a credit comes back a round trip
 * after its bytes were taken, and a slot that stopped at each block for it would idle that
 * long; this much in flight keeps it fed, as a pipe's buffer does a local worker.
 */
export const IN_FLIGHT = 1024 * 1024;

interface Pending {
  frame: Buffer[];
  bytes: number;
  done: ((error?: Error | null) => void) | undefined;
}

/**
 * One instance of a slot on a host: the user's command run there by `manifold worker --stdio`.
 * Each send is one Block frame, written from the buffers it was read into; the worker credits
 * its bytes back once the command has taken them, which is when the send is `done`, as a pipe's
 * write is. Until the pool places it on a session (a host being reconnected), sends wait here.
 */
export class SshTransport implements Transport, SessionOwner {
  readonly #spec: SlotSpec;
  readonly #events: TransportEvents;
  readonly #block: InstanceBlock | undefined;
  readonly #run: string;
  #session: Session | null = null;
  #waiting: Pending[] = [];
  #waitingBytes = 0;
  #sent: Pending[] = [];
  #sentBytes = 0;
  #seq = 0;
  #inputClosed = false;
  #endSent = false;
  #stopped: StopReason | null = null;
  #ended = false;
  #paused = false;
  #pid = 0;
  #stderr: PassThrough | null = null;
  #prefixed: { open(): void } | null = null;
  /** Under the protocol, its stderr waits for its greeting (`SlotSpec.greets`), as a local one's. */
  #holding: boolean;

  constructor(spec: SlotSpec, events: TransportEvents, run: string, block?: InstanceBlock) {
    this.#spec = spec;
    this.#events = events;
    this.#run = run;
    this.#block = block;
    this.#holding = spec.greets === true;
  }

  get unsent(): number {
    return this.#waitingBytes + Math.max(0, this.#sentBytes - IN_FLIGHT);
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The pool has placed this instance on a session: it starts there. */
  attach(session: Session): void {
    if (this.#ended) return;
    this.#session = session;
    session.attach(this);
    const { slot, workers } = this.#spec;
    // The folder this machine runs it in is not the host's: a host's is its own (`extras`).
    const { cwd: _here, ...command } = this.#spec.command;
    const block = this.#block;
    session.write(
      messageFrame(FrameKind.Hello, this.#run, 0, {
        ...{ command, slot, workers, ...session.host.extras },
        ...(block === undefined ? {} : { block }),
        ...(this.#spec.okStatus === undefined ? {} : { okStatus: this.#spec.okStatus }),
      }),
    );
    if (this.#paused) session.pause();
    if (this.#stopped !== null) this.#sendStop(this.#stopped);
    else this.#flush();
  }

  /** No host is left to place it on. */
  fail(reason: string): void {
    setImmediate(() => this.#finish({ kind: 'failed', reason, retryable: false }));
  }

  send(buffers: readonly Buffer[], done?: (error?: Error | null) => void): void {
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    const frame = encodeFrame({
      kind: FrameKind.Block,
      run: this.#run,
      seq: ++this.#seq,
      payload: buffers,
    });
    this.#waiting.push({ frame, bytes, done });
    this.#waitingBytes += bytes;
    this.#flush();
  }

  closeInput(): void {
    this.#inputClosed = true;
    this.#flush();
  }

  pause(): void {
    // Once stopped, its output is read on: its end must be heard.
    if (this.#stopped !== null) return;
    this.#paused = true;
    this.#session?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#session?.resume();
  }

  stop(reason: StopReason): void {
    if (this.#ended) return;
    this.#stopped = reason;
    if (this.#session === null) {
      // Not placed yet: nothing runs anywhere.
      setImmediate(() => this.#finish({ kind: 'stopped' }));
      return;
    }
    this.#sendStop(reason);
  }

  describe(): string {
    const pid = this.#pid > 0 ? ` pid ${this.#pid}` : '';
    // Never placed on a host (none was left): none is named. It read 'worker 1 (no host yet:
    // ...) no host is left: ...', as though one were still to come.
    const host = this.#session === null ? '' : `${this.#session.host.name}${pid}: `;
    return `worker ${this.#spec.slot} (${host}${commandText(this.#spec.command)})`;
  }

  onFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Hello:
        this.#pid = (JSON.parse(frame.payload.toString()) as StartedMessage).pid;
        break;
      case FrameKind.Credit:
        this.#credit(frame.seq);
        break;
      case FrameKind.Output:
        for (const part of frame.parts ?? [frame.payload]) {
          if (frame.channel === STDERR) this.#writeStderr(part);
          else this.#events.output(part);
        }
        break;
      case FrameKind.End:
        this.#finish(this.#onHost(JSON.parse(frame.payload.toString()) as TransportOutcome));
        break;
      default:
        break;
    }
  }

  /**
   * `outcome` with the host it ended on in its details (the pid is the host's: --stats says
   * which host's). One with none (its command not found there, or refused by the host's
   * system, so no process ran) is given some: --stats counted it, and its blocks, at no host.
   */
  #onHost(outcome: TransportOutcome): TransportOutcome {
    const host = this.#session?.host.name ?? '';
    if (outcome.kind === 'cannot-start') {
      return { ...outcome, details: { exitCode: null, signal: null, host } };
    }
    // Not found is 127, as a shell says.
    const status =
      outcome.kind === 'failed' ? (outcome.status ?? (outcome.notFound ? 127 : null)) : null;
    const details = outcome.details ?? { exitCode: status, signal: null };
    return { ...outcome, details: { ...details, host } };
  }

  onLost(reason: string): void {
    const host = this.#session?.host.name ?? '';
    const details = { pid: this.#pid, host, exitCode: null, signal: null };
    this.#finish({ kind: 'failed', reason: `lost ${host}: ${reason}`, retryable: true, details });
  }

  #sendStop(reason: StopReason): void {
    this.#session?.write(stopFrame(this.#run, reason));
    // Its end is heard even when its output was paused, and soon: a hung host is found out in
    // a few heartbeats, not after --host-timeout.
    this.#session?.hurry();
  }

  /** Writes what waits, within the credit window (one larger send alone when nothing is out). */
  #flush(): void {
    const session = this.#session;
    if (session === null || this.#ended || this.#stopped !== null) return;
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0]!;
      if (this.#sentBytes > 0 && this.#sentBytes + next.bytes > CREDIT_WINDOW) return;
      this.#waiting.shift();
      this.#waitingBytes -= next.bytes;
      this.#sent.push(next);
      this.#sentBytes += next.bytes;
      session.write(next.frame);
    }
    if (this.#inputClosed && !this.#endSent) {
      this.#endSent = true;
      session.write(messageFrame(FrameKind.End, this.#run, 0, undefined, END_INPUT));
    }
  }

  /** The command has taken `bytes` more: the sends they complete are done, in order. */
  #credit(bytes: number): void {
    let left = bytes;
    while (left > 0 && this.#sent.length > 0) {
      const oldest = this.#sent[0]!;
      const taken = Math.min(left, oldest.bytes);
      oldest.bytes -= taken;
      this.#sentBytes -= taken;
      left -= taken;
      if (oldest.bytes > 0) break;
      this.#sent.shift();
      oldest.done?.();
    }
    this.#flush();
  }

  /** It greeted: its stderr, held till then, goes on (`Transport.greeted`). */
  greeted(): void {
    this.#holding = false;
    this.#prefixed?.open();
  }

  #writeStderr(chunk: Buffer): void {
    const { tag, stderr: to } = this.#spec;
    if (!tag && to === undefined && !this.#holding && this.#stderr === null) {
      process.stderr.write(chunk);
      return;
    }
    if (this.#stderr === null) {
      this.#stderr = new PassThrough();
      const prefix = stderrTag(this.#spec, this.#block?.number);
      this.#prefixed = prefixLines(this.#stderr, prefix, to?.stream, undefined, this.#holding);
    }
    this.#stderr.write(chunk);
  }

  #finish(outcome: TransportOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#session?.detach(this);
    this.#stderr?.end();
    const error = new Error('the instance ended');
    for (const pending of [...this.#sent, ...this.#waiting]) pending.done?.(error);
    this.#sent = [];
    this.#waiting = [];
    this.#sentBytes = 0;
    this.#waitingBytes = 0;
    const details = 'details' in outcome ? outcome.details : undefined;
    const stopped = { kind: 'stopped' as const, ...(details === undefined ? {} : { details }) };
    const end = () => this.#events.end(this.#stopped !== null ? stopped : outcome);
    // Told once its prefixed stderr is all passed on, as a local process's end waits for its
    // stderr: told at once, the lines still queued for a slow reader were lost at manifold's
    // exit (--tag over --host: 6,100 of 20,000 lines, exit 0). A stopped one's are not waited for.
    const stderr = this.#stderr;
    if (stderr === null || this.#stopped !== null || stderr.readableEnded) end();
    else stderr.once('end', end);
  }
}
