import { type ChildProcess, spawn } from 'node:child_process';
import { type Frame, FrameKind, FrameReader } from '../frame/index.js';
import type { HostConnection } from './connection.js';
import { type Master, SSH_STDIO } from './master.js';
import { messageFrame } from './protocol.js';

/** What a session's frames go to: the instance running on it now. */
export interface SessionOwner {
  onFrame(frame: Frame): void;
  /** The session ended under it: `reason` says how. */
  onLost(reason: string): void;
}

/** What ssh says when the connection it shares refuses a session (sshd's MaxSessions). */
const REFUSED = /Session open refused by peer|administratively prohibited/;

/**
 * Heartbeats a session waits for its worker's answer once told to stop or closed, before it
 * takes the host for hung: a worker answers those at once, and says a heartbeat each interval
 * while it ends its command, so a host silent for three has stopped answering. A user's Ctrl-C
 * waited out the whole --host-timeout (30s by default) for a host that hung.
 */
const ANSWER_BEATS = 3;

/** What the pool hears of a session lost (not closed by manifold), or found hung. */
export type LostListener = (session: Session, reason: string, hung: boolean) => void;

/**
 * One `manifold worker --stdio` on a host, over the host's shared connection: a slot's instances
 * run on it one after another. Heartbeats go both ways; one that hears nothing for the host
 * timeout takes the host for hung.
 */
export class Session {
  readonly host: HostConnection;
  readonly #run: string;
  readonly #onLost: LostListener;
  readonly #args: string[];
  #child: ChildProcess | null = null;
  #master: Master | null = null;
  /** Frames written before its worker answered: sshd may yet refuse the session. */
  #pending: Buffer[][] | null = [];
  #owner: SessionOwner | null = null;
  #closed = false;
  #ended = false;
  #heard = Date.now();
  /** Its output is not read (a full merge, a slow reader of stdout): silence says nothing then. */
  #paused = false;
  /** Silence (ms) after which its host is taken for hung: shorter once told to end. */
  #silence: number;
  #stderr = '';
  readonly #timer: NodeJS.Timeout;
  readonly #hostTimeout: number;
  readonly #heartbeat: number;
  readonly #started: Promise<void>;

  /** `timeout`: --host-timeout, in ms, and how messages name it (a config's `hosts.host-timeout`). */
  constructor(
    host: HostConnection,
    run: string,
    timeout: { ms: number; option: string },
    onLost: LostListener,
  ) {
    const hostTimeout = timeout.ms;
    this.host = host;
    this.#run = run;
    this.#onLost = onLost;
    this.#hostTimeout = hostTimeout;
    this.#silence = hostTimeout;
    const heartbeat = Math.max(50, Math.min(1000, Math.floor(hostTimeout / 4)));
    this.#heartbeat = heartbeat;
    this.#args = [
      ...['worker', '--stdio', '--heartbeat', String(heartbeat)],
      ...['--host-timeout', String(hostTimeout)],
    ];
    host.sessions++;
    this.#started = this.#start();
    this.#timer = setInterval(() => {
      // Paused, its heartbeats wait unread in the pipe: a reader of stdout slower than
      // --host-timeout dropped every host ('heard nothing'), and a run without --retries failed.
      if (!this.#paused && Date.now() - this.#heard > this.#silence) {
        const why = this.#silence === hostTimeout ? `(${timeout.option})` : 'once told to stop';
        this.#lose(`heard nothing for ${this.#silence}ms ${why}`, true);
        return;
      }
      if (this.#pending === null && !this.#closed)
        this.write(messageFrame(FrameKind.Heartbeat, this.#run, 0));
    }, heartbeat);
  }

  /** Takes a connection with room on the host and starts the worker over it. */
  async #start(): Promise<void> {
    let master: Master | null;
    try {
      master = await this.host.channel();
    } catch (error) {
      this.#lose((error as Error).message, false);
      return;
    }
    if (this.#closed || this.#ended) {
      this.host.release(master);
      return;
    }
    this.#master = master;
    this.#spawn(master);
  }

  #spawn(master: Master | null): void {
    const argv = this.host.command(this.#args, master);
    const child = spawn(argv[0]!, argv.slice(1), { ...SSH_STDIO, cwd: this.host.folder });
    this.#child = child;
    this.#heard = Date.now();
    this.#stderr = '';
    if (this.#paused) child.stdout!.pause();
    child.stdin!.on('error', () => {});
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-4096);
      // ssh goes on alone when the connection refuses the session: it is put on another.
      if (this.#pending !== null && REFUSED.test(this.#stderr)) this.#refused(child);
    });
    // Output goes on to the merge from the chunks it came in, uncopied.
    const reader = new FrameReader((frame) => this.#onFrame(frame), { pieces: true });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.#child !== child) return;
      this.#heard = Date.now();
      // Its worker's first frame: the session is open, and what waited for it goes.
      const pending = this.#pending;
      if (pending !== null) {
        this.#pending = null;
        for (const buffers of pending) this.write(buffers);
      }
      try {
        reader.push(chunk);
      } catch (error) {
        this.#lose(`spoke no frames (${(error as Error).message})`, false);
      }
    });
    child.once('error', (error) => {
      if (this.#child === child) this.#lose(this.host.startProblem(error), false);
    });
    child.once('close', (code, signal) => {
      if (this.#child !== child) return;
      const said = this.#stderr.trim().split('\n').at(-1)?.trim();
      const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
      const what = this.host.spec.local ? 'its worker' : 'ssh';
      this.#lose(said ? `${said} (${what} ${how})` : `${what} ${how}`, false);
    });
  }

  /** sshd refused the session over its connection: it is tried again over another. */
  #refused(child: ChildProcess): void {
    const master = this.#master!;
    this.#child = null;
    child.kill('SIGKILL');
    this.host.release(master);
    this.#master = null;
    if (!this.host.refused(master)) {
      this.#lose("sshd allows no session beside the connection's own (MaxSessions)", false);
      return;
    }
    if (this.#closed || this.#ended) return;
    void this.#start();
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
    if (this.#ended) return;
    if (this.#pending !== null) {
      this.#pending.push([...buffers]);
      return;
    }
    const stdin = this.#child!.stdin!;
    if (stdin.destroyed) return;
    stdin.cork();
    for (const buffer of buffers) stdin.write(buffer);
    stdin.uncork();
  }

  pause(): void {
    this.#paused = true;
    this.#child?.stdout?.pause();
  }

  resume(): void {
    // What it said meanwhile is still in the pipe: its silence counts from now.
    if (this.#paused) this.#heard = Date.now();
    this.#paused = false;
    this.#child?.stdout?.resume();
  }

  /**
   * Its instance was told to stop: the worker answers at once, so a host silent for a few
   * heartbeats from now is taken for hung. The clock starts again here, and its output is read
   * on: while paused, what it said was not heard.
   */
  hurry(): void {
    if (this.#ended) return;
    const silence = Math.min(this.#hostTimeout, ANSWER_BEATS * this.#heartbeat);
    if (silence < this.#silence) {
      this.#silence = silence;
      this.#heard = Date.now();
    }
    this.resume();
  }

  /**
   * Ends the session: the worker sees its input end and exits. A host that does not answer is
   * taken for hung (the pool drops it, and kills its connections) as when told to stop.
   */
  async close(): Promise<void> {
    this.hurry();
    this.#closed = true;
    await this.#started;
    const child = this.#child;
    if (child === null) {
      this.#lose('closed before it started', false);
      return;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      clearInterval(this.#timer);
      return;
    }
    child.stdin!.end();
    child.stdout!.resume();
    // A host that hangs now would hold the end of the run for ever: it has the host timeout.
    const late = setTimeout(() => child.kill('SIGKILL'), this.#hostTimeout);
    await new Promise<void>((resolve) =>
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
    if (this.#child === null) this.#lose('killed before it started', false);
    else this.#child.kill('SIGKILL');
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
    this.host.release(this.#master);
    this.#master = null;
    clearInterval(this.#timer);
    const closed = this.#closed;
    if (hung || !closed) this.#child?.kill('SIGKILL');
    // The pool first: the host's state must be known before the engine, told the instance
    // failed, opens the next one. A host hung as the session ended is told too: its
    // connections are killed, not waited for.
    if (!closed || hung) this.#onLost(this, reason, hung);
    const owner = this.#owner;
    this.#owner = null;
    owner?.onLost(reason);
  }
}
