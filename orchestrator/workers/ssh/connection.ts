import { join } from 'node:path';
import { findProgram } from '../which.js';
import type { HostSpec, RemoteSettings } from './hosts.js';
import { localManifold } from './local.js';
import { type Connected, Master } from './master.js';

export type { Connected } from './master.js';

/**
 * Sessions one connection carries at most, until sshd is found to allow fewer: sshd's default
 * `MaxSessions` is 10, of which the connection's own probe takes one and shipping another.
 */
export const SESSIONS_PER_CONNECTION = 8;

/** `'word'` for a remote shell. */
export const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * One host: its SSH connections (masters that its sessions share, so one TCP connection and one
 * login per up to SESSIONS_PER_CONNECTION slots, not one per slot; more are opened as its slots
 * need them), and its state for the run: `up`, `reconnecting` after a lost session, or
 * `dropped` for the rest of the run.
 */
export class HostConnection {
  readonly spec: HostSpec;
  readonly #settings: RemoteSettings;
  readonly #controlDir: string;
  readonly #index: number;
  #masters: Master[] = [];
  /** Every connection started and not yet ended, up or still being opened: all end with it. */
  readonly #started = new Set<Master>();
  #opened = 0;
  #opening: Promise<Master | string> | null = null;
  /** Sessions a connection to it carries: lowered when its sshd refuses one. */
  #perMaster = SESSIONS_PER_CONNECTION;
  state: 'up' | 'reconnecting' | 'dropped' = 'up';
  /** Connection failures so far (lost sessions, failed reconnections). */
  failures = 0;
  /** Why it was dropped. */
  dropReason = '';
  /** Sessions open on it now, to place a dropped host's slots on the least busy host left. */
  sessions = 0;
  /** Slots waiting for it to be reconnected (or dropped). */
  readonly waiters: (() => void)[] = [];
  /** The cache folder its `manifold worker --probe` named. */
  cache = '';
  /** What its instances are started with: tables at their shipped place, the run's folder. */
  extras: { env?: Record<string, string>; cwd?: string } = {};
  /** What this run shipped to it, by hash (for --cleanup). */
  shipped: string[] = [];

  readonly #log: (line: string) => void;

  constructor(
    spec: HostSpec,
    settings: RemoteSettings,
    controlDir: string,
    index: number,
    log: (line: string) => void = () => {},
  ) {
    this.#log = log;
    this.spec = spec;
    this.#settings = settings;
    this.#controlDir = controlDir;
    this.#index = index;
  }

  get name(): string {
    return this.spec.name;
  }

  /** The folder its ssh (and, for `:`, its worker) runs in: its settings' relative paths'. */
  get folder(): string | undefined {
    return this.#settings.folder;
  }

  /** How many connections to it are open now (for --verbose and tests). */
  get connections(): number {
    return this.#masters.filter((master) => !master.ended).length;
  }

  /** The ssh options that reach this host: user, port, and a shared connection's socket. */
  #sshArgs(master: boolean, controlPath: string): string[] {
    const { user, port, host } = this.spec;
    return [
      ...(master ? ['-M', '-o', 'ControlPersist=no'] : ['-o', 'ControlMaster=no']),
      ...['-S', controlPath, '-o', 'BatchMode=yes'],
      ...(user === undefined ? [] : ['-l', user]),
      ...(port === undefined ? [] : ['-p', String(port)]),
      host,
    ];
  }

  /**
   * The argv that runs `manifold worker <args>` on this host (locally for `:`), over `over`
   * (by default its first connection).
   */
  command(args: readonly string[], over?: Master | null): string[] {
    if (this.spec.local) return [...localManifold(), ...args];
    const master = over ?? this.#masters[0];
    const [ssh, ...options] = this.#settings.ssh;
    const remote = [this.#settings.remoteManifold, ...args].map(shellWord).join(' ');
    return [ssh!, ...options, ...this.#sshArgs(false, master?.controlPath ?? ''), remote];
  }

  /**
   * Why starting its ssh failed with `error`. The --ssh program was found at the start: one
   * removed or made unrunnable since reads as it would have then (`--ssh nossh: no such file`),
   * not as Node's `spawn nossh ENOENT`.
   */
  startProblem(error: Error): string {
    const code = (error as NodeJS.ErrnoException).code;
    if (this.spec.local || (code !== 'ENOENT' && code !== 'EACCES')) return error.message;
    const program = this.#settings.ssh[0]!;
    const found = findProgram(program);
    const problem = 'problem' in found ? found.problem : error.message;
    return `${this.#settings.sshOption} ${program}: ${problem}`;
  }

  /** Opens its first connection (again, after kill()). */
  async connect(): Promise<Connected> {
    if (this.spec.local) return { kind: 'up' };
    this.#masters = [];
    const master = this.#newMaster();
    const result = await this.#connect(master);
    if (result.kind === 'up') {
      this.cache = master.cache;
      this.#masters.push(master);
    }
    return result;
  }

  #newMaster(): Master {
    const path = join(this.#controlDir, `h${this.#index}c${this.#opened++}`);
    const master = new Master(path, this.#perMaster, this.#settings.folder);
    for (const old of this.#started) if (old.ended) this.#started.delete(old);
    this.#started.add(master);
    return master;
  }

  /** Opens `master`, its probe given --host-timeout to answer. */
  #connect(master: Master): Promise<Connected> {
    const { remoteManifold, hostTimeout, hostTimeoutOption } = this.#settings;
    return master.connect(
      this.#probe(master),
      remoteManifold,
      hostTimeout,
      (error) => this.startProblem(error),
      hostTimeoutOption,
    );
  }

  #probe(master: Master): string[] {
    const [ssh, ...options] = this.#settings.ssh;
    const remote = `${shellWord(this.#settings.remoteManifold)} worker --probe`;
    return [ssh!, ...options, ...this.#sshArgs(true, master.controlPath), remote];
  }

  /**
   * A connection with room for one more session, taken for it (null for this machine): one
   * open now, or another opened for it. Rejects with the reason when none can be opened.
   */
  async channel(): Promise<Master | null> {
    if (this.spec.local) return null;
    for (;;) {
      const free = this.#masters.find((master) => !master.ended && master.sessions < master.room);
      if (free !== undefined) {
        free.sessions++;
        return free;
      }
      if (this.#opening === null) {
        this.#opening = this.#openMaster().finally(() => {
          this.#opening = null;
        });
      }
      const opened = await this.#opening;
      if (typeof opened === 'string') throw new Error(opened);
    }
  }

  async #openMaster(): Promise<Master | string> {
    const master = this.#newMaster();
    const result = await this.#connect(master);
    if (result.kind !== 'up') return `cannot open another connection: ${result.reason}`;
    this.#masters.push(master);
    this.#log(
      `host ${this.name}: connection ${this.connections} opened, for ${master.room === 1 ? '1 session' : `up to ${master.room} sessions`}`,
    );
    return master;
  }

  /** A session over `master` ended. */
  release(master: Master | null): void {
    if (master !== null) master.sessions--;
  }

  /**
   * sshd refused a session over `master` (after its release): it carries no more than it does
   * now, nor does any connection opened later. False when it carries none (sshd takes no session
   * beside the probe): then no connection would take one.
   */
  refused(master: Master): boolean {
    if (master.sessions === 0) return false;
    master.room = Math.min(master.room, master.sessions);
    this.#perMaster = Math.min(this.#perMaster, master.sessions);
    return true;
  }

  /**
   * Ends its connections: their probes' input closes, and ssh ends after the sessions. One still
   * being opened (connecting again, or for more sessions) carries nothing: it is killed, where
   * it was left running (ssh waits for a host that hangs as long as its ConnectTimeout says).
   */
  async close(): Promise<void> {
    const late = this.#settings.hostTimeout;
    await Promise.all(
      [...this.#started].map((master) => (master.up ? master.close(late) : master.kill())),
    );
  }

  /** Ends its connections now, those being opened too, and with them every session over them. */
  kill(): void {
    for (const master of this.#started) master.kill();
  }
}
