import { type ChildProcess, spawn } from 'node:child_process';
import { formatDuration } from '../../options/jobs.js';

/** How connecting to a host went. */
export type Connected =
  | { kind: 'up' }
  | { kind: 'not-found'; reason: string }
  | { kind: 'failed'; reason: string };

/**
 * One SSH connection to a host (a master, `ssh -M -S <socket>`) that sessions share: one TCP
 * connection and one login for up to `room` of them, since sshd allows only so many sessions
 * over one connection (`MaxSessions`, 10 by default, the master's own probe among them).
 */
export class Master {
  readonly controlPath: string;
  /** Sessions open over it now. */
  sessions = 0;
  /** How many sessions it may carry: lowered when sshd refuses one. */
  room: number;
  /** The cache folder its `manifold worker --probe` named. */
  cache = '';
  /** Its probe answered: sessions may go over it. */
  up = false;
  #child: ChildProcess | null = null;
  readonly #cwd: string | undefined;

  constructor(controlPath: string, room: number, cwd?: string) {
    this.controlPath = controlPath;
    this.room = room;
    this.#cwd = cwd;
  }

  /**
   * Opens it with `argv` (ssh -M ... `manifold worker --probe`), whose session answers with
   * manifold's version and cache folder and then waits for its input to end: the master lives
   * as long as manifold holds that input open. A host without manifold (or Node) answers 127,
   * as a command not found would locally; `manifold` names manifold on the host in messages,
   * and `cannotStart` says why ssh itself could not be started.
   */
  connect(
    argv: string[],
    manifold: string,
    timeoutMs: number,
    cannotStart: (error: Error) => string,
    timeoutOption = '--host-timeout',
  ): Promise<Connected> {
    const master = spawn(argv[0]!, argv.slice(1), { ...SSH_STDIO, cwd: this.#cwd });
    this.#child = master;
    let out = '';
    let err = '';
    master.stdin!.on('error', () => {});
    master.stderr!.setEncoding('utf8').on('data', (text: string) => {
      err = (err + text).slice(-4096);
    });
    return new Promise<Connected>((answer) => {
      // A host that takes the connection and never answers (ssh without ConnectTimeout waits
      // for ever) is given --host-timeout, as a host heard nothing from mid-run.
      const timer = setTimeout(() => {
        answer({
          kind: 'failed',
          reason: `no answer within ${formatDuration(timeoutMs)} (${timeoutOption})`,
        });
        master.kill('SIGKILL');
      }, timeoutMs);
      const resolve = (result: Connected) => {
        clearTimeout(timer);
        answer(result);
      };
      const onOut = (text: string) => {
        out += text;
        const line = /^manifold-worker (\S+) (.*)\n/.exec(out);
        if (line === null) return;
        this.cache = line[2]!;
        this.up = true;
        master.stdout!.off('data', onOut);
        resolve({ kind: 'up' });
      };
      master.stdout!.setEncoding('utf8').on('data', onOut);
      master.once('error', (error) => resolve({ kind: 'failed', reason: cannotStart(error) }));
      master.once('close', (code, signal) => {
        const said = lastLine(err);
        if (code === 127 || code === 126) {
          const what = `${manifold} (--remote-manifold)`;
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

  /** It ended, or was never opened. */
  get ended(): boolean {
    const master = this.#child;
    return master === null || master.exitCode !== null || master.signalCode !== null;
  }

  /** Ends it: its probe's input closes, and ssh ends after the sessions (or after `late` ms). */
  close(late: number): Promise<void> {
    const master = this.#child;
    if (master === null || this.ended) return Promise.resolve();
    master.stdin!.end();
    const timer = setTimeout(() => master.kill('SIGKILL'), late);
    return new Promise((resolve) =>
      master.once('close', () => {
        clearTimeout(timer);
        resolve();
      }),
    );
  }

  /** Ends it now, and with it every session over it. */
  kill(): void {
    if (!this.ended) this.#child!.kill('SIGKILL');
  }
}

/**
 * ssh leads a process group of its own, as manifold's workers do: a terminal's Ctrl-C (SIGINT to
 * the foreground group) reaches manifold alone, which then stops the hosts' workers itself; it
 * killed ssh too, which read as hosts lost ("ssh exited with status 255; connecting again").
 */
export const SSH_STDIO: { stdio: ['pipe', 'pipe', 'pipe']; detached: boolean } = {
  stdio: ['pipe', 'pipe', 'pipe'],
  detached: true,
};

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}
