import type { ChildProcess } from 'node:child_process';
import { closeSync, constants as fs, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { procPids, statFields } from '../proc-stat.js';
import { lendingSocket } from '../reads.js';
import type { InputEnd, InputPiece } from '../relay.js';
import { SIGNAL_NAMES } from '../termseq.js';
import { signalGroup } from './spawn.js';

/** What a started command's requester hears, in this order: pipes, start (or failure), end. */
export interface SpawnEvents {
  /**
   * Forked as `pid` (its group made), its stdin, stdout and (when asked) stderr these sockets.
   * Its stdout's bytes come by `output`, not as the socket's 'data' (`../reads.ts`); the socket
   * pauses, resumes and ends as any. `input` is manifold's descriptor of its stdin pipe, which
   * the starter can feed from a file (`feed`). No stdin (and `input` -1) when the starter writes
   * it, from the input it took (`RelaySpec.takesInput`, `takeInput`).
   */
  opened(
    pid: number,
    stdin: Socket | null,
    stdout: Socket | null,
    stderr: Socket | null,
    input: number,
  ): void;
  /** Bytes of its stdout, in order. */
  output(data: Buffer): void;
  /** Its exec succeeded. */
  running(): void;
  /** It never ran: `code` is the errno's name (ENOENT, EMFILE, ...), or why the starter failed. */
  failed(code: string, message?: string): void;
  /**
   * It was never started: it takes the input the starter took (`RelaySpec.takesInput`), which
   * starts it with the first of it that it is given, and that ended or stopped first.
   */
  unstarted?(): void;
  /** It ended, its output (`relay`) still held open by what it started: `ended` comes later. */
  quit?(exitCode: number | null, signal: NodeJS.Signals | null): void;
  /** It ended, or (`lost`) its waiter died and its end is unknown. */
  ended(exitCode: number | null, signal: NodeJS.Signals | null, lost?: string): void;
  /** Its output, written by the starter (\`relay\`), holds a record of \`bytes\`, over the limit. */
  recordTooLarge?(bytes: number): void;
  /** Manifold's stdout, written by the starter, failed (\`code\`: EPIPE, ENOSPC, ...). */
  outputFailed?(code: string): void;
  /** What it was given of the input the starter took (`takeInput`): told before its end. */
  given?(pieces: number, first: InputPiece, last: InputPiece): void;
}

interface Request {
  events: SpawnEvents;
  pid?: number;
  /** Its stdin is written by the starter, from the input it took. */
  takesInput?: boolean;
}

/**
 * How a feed ended (`Spawner.feed`): the bytes sent, and the errno that stopped it (0 for none:
 * fewer bytes than asked then means the file ended first). `ESPAWNER` when the starter is gone.
 */
export type FeedEnd = (sent: number, errno: number | 'ESPAWNER') => void;

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));

/**
 * The process starter's replies (`spawner.ts` asks; `spawner-script.ts` describes the protocol):
 * a line each, told to the request it names (a started command, a feed, the input taken), and
 * the starter's end, which fails or ends whatever still waits. It also keeps the starter from
 * holding manifold's event loop while nothing waits for a reply.
 */
export class StarterReplies {
  readonly #child: ChildProcess;
  readonly #pid: number;
  /** What runs it: python3 or perl (its messages name it). */
  readonly #program: string;
  readonly #requests = new Map<number, Request>();
  /** Feeds asked and not yet told done (`feed`). */
  readonly #feeds = new Map<number, FeedEnd>();
  /** The input taken (`takeInput`), until its end is told. */
  readonly #inputs = new Map<number, (end: InputEnd) => void>();
  #text = '';
  /** Why the starter is gone, once it is. */
  #lost: string | null = null;
  /** It has told something: it worked (`#lose`). */
  #told = false;

  constructor(child: ChildProcess, pid: number, program: string) {
    this.#child = child;
    this.#pid = pid;
    this.#program = program;
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (text: string) => this.#read(text));
    child.on('exit', (code, signal) => {
      const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
      // Its last replies may still be in the pipe: they are read first.
      const killed = signal !== null;
      if (child.stdout!.readableEnded) this.#lose(how, killed);
      else child.stdout!.once('end', () => this.#lose(how, killed));
    });
    this.#idle();
  }

  /** Why the starter is gone, or null while it is not. */
  get lost(): string | null {
    return this.#lost;
  }

  /** The command asked as `id` (`start`) is to be told its replies. */
  expectStart(id: number, events: SpawnEvents, takesInput: boolean): void {
    if (this.#idleNow()) this.#busy();
    this.#requests.set(id, { events, takesInput });
  }

  /** The feed asked as `id` (`feed`) is to be told done. */
  expectFeed(id: number, done: FeedEnd): void {
    if (this.#idleNow()) this.#busy();
    this.#feeds.set(id, done);
  }

  /** The input taken as `id` (`takeInput`) is to be told its end. */
  expectInput(id: number, done: (end: InputEnd) => void): void {
    if (this.#idleNow()) this.#busy();
    this.#inputs.set(id, done);
  }

  /** No end is to be told of the input taken as `id`; false when none was waited for. */
  dropInput(id: number): boolean {
    return this.#inputs.delete(id);
  }

  /** Once nothing waits for a reply, the starter stops holding manifold's event loop. */
  settle(): void {
    if (this.#idleNow()) this.#idle();
  }

  #read(text: string): void {
    const lines = (this.#text + text).split('\n');
    this.#text = lines.pop()!;
    if (lines.length > 0) this.#told = true;
    for (const line of lines) {
      const [kind, key, a, b, c, d] = line.split(' ');
      const id = Number(key);
      if (kind === 'W') {
        // Manifold's stdout failed under the starter's write (EPIPE: its reader is gone).
        const code = ERRNO_NAMES.get(Number(a)) ?? `errno ${a}`;
        for (const request of this.#requests.values()) request.events.outputFailed?.(code);
        continue;
      }
      if (kind === 'E' || kind === 'I') {
        const done = this.#inputs.get(id);
        if (done === undefined) continue;
        this.#inputs.delete(id);
        if (this.#idleNow()) this.#idle();
        if (kind === 'I') done({ kind: 'tooLarge', byte: Number(a), size: Number(b) });
        else if (a !== '-') done({ kind: 'ended', bytes: Number(a) });
        else done({ kind: 'failed', code: ERRNO_NAMES.get(Number(b)) ?? `errno ${b}` });
        continue;
      }
      if (kind === 'D') {
        const done = this.#feeds.get(id);
        if (done === undefined) continue;
        this.#feeds.delete(id);
        if (this.#idleNow()) this.#idle();
        done(Number(a), Number(b));
        continue;
      }
      const request = this.#requests.get(id);
      if (request === undefined) continue;
      if (kind === 'P') this.#opened(id, request, Number(a), [b!, c!, d!]);
      else if (kind === 'B') {
        const n = line.split(' ').slice(3).map(Number);
        const piece = (at: number) => ({ seq: n[at]!, offset: n[at + 1]!, bytes: n[at + 2]! });
        request.events.given?.(Number(a), piece(0), piece(3));
      } else if (kind === 'M') request.events.recordTooLarge?.(Number(a));
      else if (kind === 'S') request.events.running();
      else if (kind === 'F') {
        this.#forget(id);
        request.events.failed(ERRNO_NAMES.get(Number(a)) ?? `errno ${a}`);
      } else if (kind === 'N') {
        this.#forget(id);
        request.events.unstarted?.();
      } else if (kind === 'X' || kind === 'Q') {
        const signal = b === '-' ? null : (SIGNAL_NAMES.get(Number(b)) ?? 'SIGKILL');
        if (kind === 'X') this.#forget(id);
        request.events[kind === 'X' ? 'ended' : 'quit']?.(a === '-' ? null : Number(a), signal);
      }
    }
  }

  #opened(id: number, request: Request, pid: number, fds: string[]): void {
    request.pid = pid;
    const [input, output, errors] = fds;
    const opened: number[] = [];
    try {
      const open = (fd: string, flags: number) => {
        opened.push(openSync(`/proc/${this.#pid}/fd/${fd}`, flags | fs.O_NONBLOCK));
        return opened.at(-1)!;
      };
      // A command that takes the starter's input has its stdin written there: k keeps it.
      const stdin = request.takesInput ? -1 : open(input!, fs.O_WRONLY);
      const stdout = output === '-' ? null : open(output!, fs.O_RDONLY);
      const stderr = errors === '-' ? null : open(errors!, fs.O_RDONLY);
      this.#child.stdin!.write(`${request.takesInput ? 'k' : 'c'}\0${id}\0`);
      request.events.opened(
        pid,
        stdin < 0 ? null : new Socket({ fd: stdin, readable: false }),
        stdout === null ? null : lendingSocket(stdout, (data) => request.events.output(data)),
        stderr === null ? null : new Socket({ fd: stderr, writable: false }),
        stdin,
      );
    } catch (error) {
      for (const fd of opened) closeQuietly(fd);
      signalGroup(pid, 'SIGKILL');
      // No such descriptor: the starter is gone (killed after it started the command, before
      // manifold took its pipes), and the command with it. Its end, heard next, says so, as for
      // a command it never told of; not the command's own failure to start (127). EACCES too:
      // the descriptors of a process that is exiting are no one's to open (its memory is gone),
      // and were read as the command's `not executable` (126).
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') {
        request.pid = undefined;
        return;
      }
      this.#child.stdin!.write(`c\0${id}\0`);
      this.#forget(id);
      request.events.failed((error as NodeJS.ErrnoException).code ?? 'EIO');
    }
  }

  #forget(id: number): void {
    this.#requests.delete(id);
    if (this.#idleNow()) this.#idle();
  }

  /** Nothing asked of it is waiting for a reply. */
  #idleNow(): boolean {
    return this.#requests.size === 0 && this.#feeds.size === 0 && this.#inputs.size === 0;
  }

  /**
   * The starter is gone: a command running is killed (nobody would hear its end) and is lost
   * with it. So is one it had not told the start of, whether or not it had forked it: what the
   * starter had told when it died is a matter of timing. Only where the starter never worked
   * (it ended by itself, `killed` false, having told nothing) do its commands fail to start.
   * A command it forked and never named (no pid) is found by its session: the starter leads
   * one (`detached`), and its commands make groups in it, never sessions of their own.
   */
  #lose(how: string, killed: boolean): void {
    if (this.#lost !== null) return;
    const message = `the process starter (${this.#program}, pid ${this.#pid}) ${how}`;
    this.#lost = message;
    const worked = killed || this.#told;
    let unnamed = false;
    for (const [id, request] of this.#requests) {
      this.#requests.delete(id);
      if (request.pid !== undefined) signalGroup(request.pid, 'SIGKILL');
      else unnamed = true;
      if (request.pid === undefined && !worked) request.events.failed('ESPAWNER', message);
      else request.events.ended(null, null, message);
    }
    if (unnamed) killSession(this.#pid);
    const feeds = [...this.#feeds.values()];
    this.#feeds.clear();
    for (const done of feeds) done(0, 'ESPAWNER');
    const inputs = [...this.#inputs.values()];
    this.#inputs.clear();
    for (const done of inputs) done({ kind: 'failed', code: 'ESPAWNER', message });
    if (this.#idleNow()) this.#idle();
  }

  // While nothing is asked of it, the starter does not keep manifold's event loop alive.
  #busy(): void {
    this.#child.ref();
    (this.#child.stdout as Socket).ref();
    (this.#child.stdin as Socket).ref();
  }

  #idle(): void {
    this.#child.unref();
    (this.#child.stdout as Socket).unref();
    (this.#child.stdin as Socket).unref();
  }
}

/** Kills the groups of every process left in the session `sid` (/proc: no event tells them). */
function killSession(sid: number): void {
  for (const pid of procPids()) {
    const fields = statFields(pid);
    if (fields !== null && Number(fields[3]) === sid) signalGroup(Number(fields[2]), 'SIGKILL');
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {}
}
