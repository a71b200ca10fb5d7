import { type ChildProcess, spawn } from 'node:child_process';
import { type Frame, FrameKind, FrameReader } from '../frame/index.js';
import type { HostConnection } from './connection.js';
import { messageFrame } from './protocol.js';

/** What a session's frames go to: the instance running on it now. */
export interface SessionOwner {
  onFrame(frame: Frame): void;
  /** The session ended under it: `reason` says how. */
  onLost(reason: string): void;
}

/** What the pool hears of a session lost (not closed by manifold). */
export type LostListener = (session: Session, reason: string, hung: boolean) => void;

/**
 * One `manifold worker --stdio` on a host, over the host's shared connection: a slot's instances
 * run on it one after another. Heartbeats go both ways; one that hears nothing for the host
 * timeout takes the host for hung.
 */
export class Session {
  readonly host: HostConnection;
  readonly #child: ChildProcess;
  readonly #run: string;
  readonly #onLost: LostListener;
  #owner: SessionOwner | null = null;
  #closed = false;
  #ended = false;
  #heard = Date.now();
  #stderr = '';
  readonly #timer: NodeJS.Timeout;
  readonly #hostTimeout: number;

  constructor(host: HostConnection, run: string, hostTimeout: number, onLost: LostListener) {
    this.host = host;
    this.#run = run;
    this.#onLost = onLost;
    this.#hostTimeout = hostTimeout;
    const heartbeat = Math.max(50, Math.min(1000, Math.floor(hostTimeout / 4)));
    const argv = host.command([
      ...['worker', '--stdio', '--heartbeat', String(heartbeat)],
      ...['--host-timeout', String(hostTimeout)],
    ]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    host.sessions++;
    child.stdin!.on('error', () => {});
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-4096);
    });
    const reader = new FrameReader((frame) => this.#onFrame(frame));
    child.stdout!.on('data', (chunk: Buffer) => {
      this.#heard = Date.now();
      try {
        reader.push(chunk);
      } catch (error) {
        this.#lose(`spoke no frames (${(error as Error).message})`, false);
      }
    });
    child.once('error', (error) => this.#lose(error.message, false));
    child.once('close', (code, signal) => {
      const said = this.#stderr.trim().split('\n').at(-1)?.trim();
      const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
      const what = host.spec.local ? 'its worker' : 'ssh';
      this.#lose(said ? `${said} (${what} ${how})` : `${what} ${how}`, false);
    });
    this.#timer = setInterval(() => {
      if (Date.now() - this.#heard > hostTimeout) {
        this.#lose(`heard nothing for ${hostTimeout}ms (--host-timeout)`, true);
        return;
      }
      this.write(messageFrame(FrameKind.Heartbeat, this.#run, 0));
    }, heartbeat);
  }

  /** Whether it can take another instance. */
  get alive(): boolean {
    return !this.#ended && !this.#closed;
  }

  attach(owner: SessionOwner): void {
    this.#owner = owner;
  }

  detach(owner: SessionOwner): void {
    if (this.#owner === owner) this.#owner = null;
  }

  write(buffers: readonly Buffer[]): void {
    const stdin = this.#child.stdin!;
    if (this.#ended || stdin.destroyed) return;
    stdin.cork();
    for (const buffer of buffers) stdin.write(buffer);
    stdin.uncork();
  }

  pause(): void {
    this.#child.stdout?.pause();
  }

  resume(): void {
    this.#child.stdout?.resume();
  }

  /** Ends the session: the worker sees its input end and exits. */
  close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    child.stdin!.end();
    child.stdout!.resume();
    // A host that hangs now would hold the end of the run for ever: it has the host timeout.
    const late = setTimeout(() => child.kill('SIGKILL'), this.#hostTimeout);
    return new Promise((resolve) =>
      child.once('close', () => {
        clearTimeout(late);
        resolve();
      }),
    );
  }

  /** Ends the local ssh process now (a hung host: its worker stops itself when it hears nothing). */
  kill(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#child.kill('SIGKILL');
  }

  #onFrame(frame: Frame): void {
    if (frame.kind === FrameKind.Heartbeat) return;
    if (frame.kind === FrameKind.Error) {
      this.#lose(`its worker gave up: ${frame.payload.toString()}`, false);
      return;
    }
    this.#owner?.onFrame(frame);
  }

  #lose(reason: string, hung: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    this.host.sessions--;
    clearInterval(this.#timer);
    const closed = this.#closed;
    if (hung || !closed) this.#child.kill('SIGKILL');
    // The pool first: the host's state must be known before the engine, told the instance
    // failed, opens the next one.
    if (!closed) this.#onLost(this, reason, hung);
    const owner = this.#owner;
    this.#owner = null;
    owner?.onLost(reason);
  }
}
