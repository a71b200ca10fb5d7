import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { HostSpec, RemoteSettings } from './hosts.js';
import { localManifold } from './local.js';

/** How connecting to a host went. */
export type Connected =
  | { kind: 'up' }
  | { kind: 'not-found'; reason: string }
  | { kind: 'failed'; reason: string };

/** `'word'` for a remote shell. */
export const shellWord = (word: string) =>
  /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * One host: its SSH connection (a master that every session of the host shares, so one TCP
 * connection and one login per host, not one per slot), and its state for the run: `up`,
 * `reconnecting` after a lost session, or `dropped` for the rest of the run.
 */
export class HostConnection {
  readonly spec: HostSpec;
  readonly #settings: RemoteSettings;
  readonly #controlPath: string;
  #master: ChildProcess | null = null;
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

  constructor(spec: HostSpec, settings: RemoteSettings, controlDir: string, index: number) {
    this.spec = spec;
    this.#settings = settings;
    this.#controlPath = join(controlDir, `h${index}`);
  }

  get name(): string {
    return this.spec.name;
  }

  /** The ssh options that reach this host: user, port, and the shared connection's socket. */
  #sshArgs(master: boolean): string[] {
    const { user, port, host } = this.spec;
    return [
      ...(master ? ['-M', '-o', 'ControlPersist=no'] : ['-o', 'ControlMaster=no']),
      ...['-S', this.#controlPath, '-o', 'BatchMode=yes'],
      ...(user === undefined ? [] : ['-l', user]),
      ...(port === undefined ? [] : ['-p', String(port)]),
      host,
    ];
  }

  /** The argv that runs `manifold worker <args>` on this host (locally for `:`). */
  command(args: readonly string[]): string[] {
    if (this.spec.local) return [...localManifold(), ...args];
    const [ssh, ...options] = this.#settings.ssh;
    const remote = [this.#settings.remoteManifold, ...args].map(shellWord).join(' ');
    return [ssh!, ...options, ...this.#sshArgs(false), remote];
  }

  /**
   * Opens the shared connection, its own session running `manifold worker --probe`, which
   * answers with its version and cache folder and then waits for its input to end: the master
   * lives as long as manifold holds that input open. A host without manifold (or Node) answers
   * 127, as a command not found would locally.
   */
  connect(): Promise<Connected> {
    if (this.spec.local) return Promise.resolve({ kind: 'up' });
    const [ssh, ...options] = this.#settings.ssh;
    const remote = `${shellWord(this.#settings.remoteManifold)} worker --probe`;
    const master = spawn(ssh!, [...options, ...this.#sshArgs(true), remote], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#master = master;
    let out = '';
    let err = '';
    master.stdin!.on('error', () => {});
    master.stderr!.setEncoding('utf8').on('data', (text: string) => {
      err = (err + text).slice(-4096);
    });
    return new Promise((resolve) => {
      const onOut = (text: string) => {
        out += text;
        const line = /^manifold-worker (\S+) (.*)\n/.exec(out);
        if (line === null) return;
        this.cache = line[2]!;
        master.stdout!.off('data', onOut);
        resolve({ kind: 'up' });
      };
      master.stdout!.setEncoding('utf8').on('data', onOut);
      master.once('error', (error) => resolve({ kind: 'failed', reason: error.message }));
      master.once('close', (code, signal) => {
        const said = lastLine(err);
        if (code === 127 || code === 126) {
          const what = `${this.#settings.remoteManifold} (--remote-manifold)`;
          resolve({
            kind: 'not-found',
            reason: `${what} not found there${said ? `: ${said}` : ''}`,
          });
        } else {
          const how =
            signal === null ? `ssh exited with status ${code}` : `ssh was killed by ${signal}`;
          resolve({ kind: 'failed', reason: said || how });
        }
      });
    });
  }

  /** The shared connection ended, or was never made (a local host has none). */
  get masterEnded(): boolean {
    const master = this.#master;
    return master !== null && (master.exitCode !== null || master.signalCode !== null);
  }

  /** Ends the shared connection: its probe's input closes, and ssh ends after the sessions. */
  close(): Promise<void> {
    const master = this.#master;
    if (master === null || this.masterEnded) return Promise.resolve();
    master.stdin!.end();
    const late = setTimeout(() => master.kill('SIGKILL'), this.#settings.hostTimeout);
    return new Promise((resolve) =>
      master.once('close', () => {
        clearTimeout(late);
        resolve();
      }),
    );
  }

  /** Ends the shared connection now, and with it every session over it. */
  kill(): void {
    const master = this.#master;
    if (master !== null && !this.masterEnded) master.kill('SIGKILL');
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}
