import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, constants as fs, fstatSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { lendingSocket } from '../reads.js';
import type { InputEnd, InputPiece, RelaySpec, TakingInput } from '../transport.js';
import { SPAWNER_PYTHON } from './spawner-python.js';
import { SPAWNER_SCRIPT } from './spawner-script.js';

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

/** Starters started ahead, while manifold's own modules load, for slots to take. */
const booted: Spawner[] = [];
/** The Python starter every slot shares: it runs their commands side by side. */
let shared: Spawner | null = null;

/**
 * Starts the starters of a `manifold fan`'s `slots` ahead (manifold.ts), so that Python's start
 * passes while manifold loads instead of before a slot's first worker: one, which the slots share
 * (the Python starter runs their commands side by side), or one per slot where it is Perl's
 * (one command at a time). Unclaimed, they keep nothing alive and end with manifold.
 */
export function prebootStarters(slots: number): void {
  for (let i = 0; i < slots; i++) {
    const spawner = Spawner.start();
    if (spawner === null) return;
    booted.push(spawner);
    if (spawner.program === 'python3') return;
  }
}

/** Debian's Python: the Python starter's interpreter. */
const PYTHON = '/usr/bin/python3';

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));
const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/**
 * A long-lived process that starts workers (`spawner-python.ts`, `spawner-script.ts`): per-block
 * workers, and workers that stay when one was started ahead for them (`kind.ts`). The Python
 * starter serves every slot at once; a Perl one (where there is no Python) serves one slot, a
 * command at a time.
 * Node's `spawn` forks manifold itself on the main thread: the kernel copies the page tables of
 * its heap, and every page manifold touches afterwards takes a copy-on-write fault, which on a
 * virtual machine costs more than the fork (docs/performance.md). The starter is small, forks on
 * the other core, and manifold only opens the new pipes' far ends through /proc. Those pipes are
 * kernel pipes of 1 MiB, which manifold reads a pipeful at a time (`../reads.ts`), where Node's
 * spawn gives socket pairs read 64 KiB at a time.
 */
export class Spawner {
  readonly #child: ChildProcess;
  readonly #pid: number;
  /** What runs it: python3 or perl (its messages name it). */
  readonly #program: string;
  /** The environment the starter was given: requests carry only their differences from it. */
  readonly base: NodeJS.ProcessEnv;
  readonly #requests = new Map<number, Request>();
  /** It holds manifold's stdout (its fd 3) and can write commands' output there (\`relay\`). */
  readonly #relays: boolean;
  /** Feeds asked and not yet told done (`feed`). */
  readonly #feeds = new Map<number, FeedEnd>();
  /** The input taken (`takeInput`), until its end is told. */
  readonly #inputs = new Map<number, (end: InputEnd) => void>();
  /** The slots that took it (`take`): it is closed when the last is done. */
  #holders = 0;

  #next = 1;
  #text = '';
  #closed = false;
  /** Why the starter is gone, once it is. */
  #lost: string | null = null;

  /**
   * A starter for a slot, to `close` when the slot is done: the shared one where it runs
   * commands side by side, else one started ahead (`prebootStarters`), else a new one. A Python
   * starter taken becomes the shared one, for the slots after (Perl's serve one slot each).
   */
  static take(): Spawner | null {
    let spawner = shared?.usable ? shared : null;
    while (spawner === null && booted.length > 0) {
      const next = booted.shift()!;
      if (next.usable) spawner = next;
    }
    spawner ??= Spawner.start();
    if (spawner === null) return null;
    spawner.#holders++;
    if (spawner.#program === 'python3' && !shared?.usable) shared = spawner;
    return spawner;
  }

  /** Whether a starter can be had without starting one now (`take`). */
  static get ready(): boolean {
    return Spawner.atHand() !== null;
  }

  /**
   * Starts one, or null where none can run (not Linux, neither Python nor perl). Debian's Python
   * (`/usr/bin/python3`, by its path: a Python chosen through PATH may be a version manager's
   * shim, which costs ~0.4 s a start here), whose `posix_spawn` costs half of Perl's fork and
   * exec per command on a virtual machine; else `perl` on PATH. `MANIFOLD_STARTER=perl` skips
   * Python, `MANIFOLD_STARTER=spawn` both (Node's spawn starts every command): docs/fan.md.
   */
  static start(): Spawner | null {
    if (process.platform !== 'linux') return null;
    const choice = process.env.MANIFOLD_STARTER;
    if (choice === 'spawn') return null;
    // Python's own settings from the environment must not change the starter (-I), nor Perl's;
    // commands get them back.
    if (choice !== 'perl' && existsSync(PYTHON)) {
      // Manifold's stdout goes to it as its fd 3, the same open file (its offset, its O_APPEND),
      // for the commands whose output it writes there (\`relay\`).
      const python = Spawner.#try(
        PYTHON,
        ['-I', '-S', '-c', SPAWNER_PYTHON],
        process.env,
        'python3',
        stdoutOpen(),
      );
      if (python !== null) return python;
    }
    const base = { ...process.env };
    delete base.PERL5OPT;
    delete base.PERL5LIB;
    delete base.PERLLIB;
    return Spawner.#try('perl', ['-e', SPAWNER_SCRIPT], base, 'perl');
  }

  static #try(
    program: string,
    args: string[],
    base: NodeJS.ProcessEnv,
    name: string,
    withStdout = false,
  ): Spawner | null {
    let child: ChildProcess;
    try {
      child = spawn(program, args, {
        stdio: withStdout ? ['pipe', 'pipe', 'inherit', 1] : ['pipe', 'pipe', 'inherit'],
        detached: true,
        env: base,
      });
    } catch {
      return null;
    }
    // Refused (no such program, EMFILE, EAGAIN): no pid, and out of descriptors no streams at
    // all. The next starter is tried; with none, Node's own spawn starts the commands, and says
    // why it cannot as it always does.
    if (child.pid === undefined) {
      child.on('error', () => {});
      for (const stream of child.stdio ?? []) stream?.destroy();
      return null;
    }
    return new Spawner(child, child.pid, base, name, withStdout);
  }

  private constructor(
    child: ChildProcess,
    pid: number,
    base: NodeJS.ProcessEnv,
    program: string,
    withStdout: boolean,
  ) {
    this.#child = child;
    this.#relays = withStdout;
    this.#program = program;
    this.#pid = pid;
    this.base = base;
    child.on('error', () => {});
    child.stdin!.on('error', () => {});
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (text: string) => this.#read(text));
    child.on('exit', (code, signal) => {
      const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
      // Its last replies may still be in the pipe: they are read first.
      if (child.stdout!.readableEnded) this.#lose(how);
      else child.stdout!.once('end', () => this.#lose(how));
    });
    this.#idle();
  }

  /** Whether it can take requests: not closed, not gone. */
  get usable(): boolean {
    return !this.#closed && this.#lost === null;
  }

  /**
   * Starts `argv` with the starter's environment, `set` added and `unset` removed; false when a
   * field holds a NUL, which only Node's own spawn can refuse as it should.
   */
  start(
    argv: readonly string[],
    set: readonly (readonly [string, string])[],
    unset: readonly string[],
    pipedStderr: boolean,
    events: SpawnEvents,
    relay?: RelaySpec,
  ): boolean {
    const fields = [
      relay === undefined ? 's' : 'r',
      String(this.#next),
      ...(relay === undefined
        ? []
        : [relay.delimiter.toString('hex'), String(relay.maxRecord), relay.okStatus.join(',')]),
      pipedStderr ? '1' : '',
      String(argv.length),
      ...argv,
      String(set.length),
      ...set.flat(),
      String(unset.length),
      ...unset,
    ];
    if (fields.some((field) => field.includes('\0'))) return false;
    if (relay !== undefined && !this.relays) return false;
    const id = this.#next++;
    if (this.#idleNow()) this.#busy();
    this.#requests.set(id, { events, takesInput: relay?.takesInput === true });
    this.#child.stdin!.write(`${fields.join('\0')}\0`);
    return true;
  }

  /** Whether it can write a command's output to manifold's stdout itself (\`start\`'s \`relay\`). */
  get relays(): boolean {
    return this.#relays && this.usable;
  }

  /**
   * The fan stops: what the starter has of its relayed commands' output and has not written
   * is dropped, a write of it blocked on a reader that reads nothing given up (SIGUSR1), as
   * manifold's own merge drops output once it stops.
   */
  abandonOutput(): void {
    if (!this.#relays || this.#lost !== null) return;
    try {
      process.kill(this.#pid, 'SIGUSR1');
    } catch {
      // Gone already.
    }
  }

  /** Whether it can feed a command's stdin from a file (`feed`): Python's can, Perl's cannot. */
  get feeds(): boolean {
    return this.#program === 'python3' && this.usable;
  }

  /**
   * Asks the starter to send `length` bytes of the file manifold has open as `file`, from its
   * byte `at`, into the pipe manifold writes as `pipe` (a command's stdin): `sendfile`, so
   * the bytes go from the page cache to the pipe in the kernel, never through manifold. Both
   * descriptors must stay open until `done`. Feeds of one pipe are sent in the order asked.
   */
  feed(pipe: number, file: number, at: number, length: number, done: FeedEnd): void {
    if (!this.feeds) {
      done(0, 'ESPAWNER');
      return;
    }
    const id = this.#next++;
    if (this.#idleNow()) this.#busy();
    this.#feeds.set(id, done);
    const proc = `/proc/${process.pid}/fd`;
    this.#child.stdin!.write(`f\0${id}\0${proc}/${pipe}\0${proc}/${file}\0${at}\0${length}\0`);
  }

  /**
   * Hands the starter manifold's input, the pipe it has open as `fd`, for the commands started
   * with `RelaySpec.takesInput`: it cuts it into pieces of whole records (ended by `delimiter`,
   * of at most `cap` bytes, each to the command with most room in its pipe) and moves them with
   * `splice`, never through manifold (`spawner-python-io.ts`). Manifold must not read `fd`.
   */
  takeInput(fd: number, delimiter: Buffer, maxRecord: number, cap: number): TakingInput {
    const id = this.#next++;
    const ended = new Promise<InputEnd>((resolve) => {
      if (!this.feeds) {
        const message = this.#lost ?? undefined;
        resolve({
          kind: 'failed',
          code: 'ESPAWNER',
          ...(message === undefined ? {} : { message }),
        });
        return;
      }
      if (this.#idleNow()) this.#busy();
      this.#inputs.set(id, resolve);
      const path = `/proc/${process.pid}/fd/${fd}`;
      this.#child.stdin!.write(
        `i\0${id}\0${path}\0${delimiter.toString('hex')}\0${maxRecord}\0${cap}\0`,
      );
    });
    const stop = () => {
      if (!this.#inputs.delete(id)) return;
      if (this.usable) this.#child.stdin!.write(`e\0${id}\0`);
      if (this.#idleNow()) this.#idle();
    };
    return { ended, stop };
  }

  /**
   * Asks a Python starter to size the pipe at `path` (`/proc/<manifold>/fd/0`) to 1 MiB, so
   * that manifold reads its input a pipeful at a time (Node cannot `fcntl`). Perl's cannot;
   * nothing is told back either way.
   */
  sizePipe(path: string): void {
    if (this.#program !== 'python3' || !this.usable || path.includes('\0')) return;
    this.#child.stdin!.write(`z\0-\0${path}\0`);
  }

  /** A starter to ask a small favour of now (`sizePipe`), if one is at hand: none is started. */
  static atHand(): Spawner | null {
    if (shared?.usable) return shared;
    return booted.find((spawner) => spawner.usable) ?? null;
  }

  /** What runs it: python3 or perl. */
  get program(): string {
    return this.#program;
  }

  /**
   * A slot is done with it; once every slot that took it is, no more requests: the starter
   * ends once it has read them and told the ends of the commands still running.
   */
  close(): void {
    if (--this.#holders > 0) return;
    if (shared === this) shared = null;
    if (this.#closed) return;
    this.#closed = true;
    this.#child.stdin!.end();
  }

  #read(text: string): void {
    const lines = (this.#text + text).split('\n');
    this.#text = lines.pop()!;
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
      } else if (kind === 'X') {
        this.#forget(id);
        const signal = b === '-' ? null : (SIGNAL_NAMES.get(Number(b)) ?? 'SIGKILL');
        request.events.ended(a === '-' ? null : Number(a), signal);
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
      this.#child.stdin!.write(`c\0${id}\0`);
      killGroup(pid);
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
   * The starter is gone: a command not yet started fails; one running is killed (nobody would
   * hear its end) and fails as well.
   */
  #lose(how: string): void {
    if (this.#lost !== null) return;
    const message = `the process starter (${this.#program}, pid ${this.#pid}) ${how}`;
    this.#lost = message;
    for (const [id, request] of this.#requests) {
      this.#requests.delete(id);
      if (request.pid === undefined) request.events.failed('ESPAWNER', message);
      else {
        killGroup(request.pid);
        request.events.ended(null, null, message);
      }
    }
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

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {}
}

/** Whether manifold's stdout is open (fd 1), to be handed to the Python starter. */
function stdoutOpen(): boolean {
  try {
    fstatSync(1);
    return true;
  } catch {
    return false;
  }
}
