import type { ChildProcess } from 'node:child_process';
import { wordBytes } from '../../../filters/sdk/raw-arguments.js';
import type { InputEnd, RelaySpec, TakingInput } from '../relay.js';
import { type LaunchedStarter, launchStarter } from './spawner-launch.js';
import { type FeedEnd, type SpawnEvents, StarterReplies } from './spawner-replies.js';

export type { FeedEnd, SpawnEvents } from './spawner-replies.js';

/** Starters started ahead, while the fan's engine loads (cli/fan.ts), for slots to take. */
const booted: Spawner[] = [];
/** The Python starter every slot shares: it runs their commands side by side. */
let shared: Spawner | null = null;
/** The ends of the starters closed and not yet ended (`Spawner.closed`). */
const ending = new Set<Promise<void>>();

/**
 * Starts the starters of a `manifold fan`'s `slots` ahead (manifold.ts), so that Python's start
 * passes while manifold loads instead of before a slot's first worker: one, which the slots share
 * (the Python starter runs their commands side by side), or one per slot where it is Perl's
 * (one command at a time). Unclaimed, they keep nothing alive and end with manifold.
 */
export function prebootStarters(slots: number): void {
  // One no slot took (empty input) has started no command: killed as manifold exits, it does not
  // finish Python's start holding manifold's stdout and stderr (docs/performance.md).
  if (booted.length === 0) process.once('exit', discardUnclaimed);
  for (let i = 0; i < slots; i++) {
    const spawner = Spawner.start();
    if (spawner === null) return;
    booted.push(spawner);
    if (spawner.program === 'python3') return;
  }
}

/** Kills the starters started ahead that no slot took: they have started nothing. */
function discardUnclaimed(): void {
  for (const spawner of booted.splice(0)) spawner.discard();
}

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
 * It is launched apart (`spawner-launch.ts`), and its replies are handled apart
 * (`spawner-replies.ts`).
 */
export class Spawner {
  readonly #child: ChildProcess;
  readonly #pid: number;
  /** What runs it: python3 or perl (the messages of `StarterReplies` name it). */
  readonly #program: string;
  /** The environment the starter was given: requests carry only their differences from it. */
  readonly base: NodeJS.ProcessEnv;
  readonly #replies: StarterReplies;
  /** It holds manifold's stdout (its fd 3) and can write commands' output there (\`relay\`). */
  readonly #relays: boolean;
  /** The slots that took it (`take`): it is closed when the last is done. */
  #holders = 0;

  #next = 1;
  #closed = false;

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

  /** Starts one (`launchStarter`), or null where none can run. */
  static start(): Spawner | null {
    const launched = launchStarter();
    return launched === null ? null : new Spawner(launched);
  }

  private constructor({ child, pid, base, program, relays }: LaunchedStarter) {
    this.#child = child;
    this.#relays = relays;
    this.#program = program;
    this.#pid = pid;
    this.base = base;
    child.on('error', () => {});
    child.stdin!.on('error', () => {});
    this.#replies = new StarterReplies(child, pid, program);
  }

  /** Ends one no slot took, at once (`discardUnclaimed`): it has no command to tell. */
  discard(): void {
    this.#closed = true;
    try {
      process.kill(this.#pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }

  /** Whether it can take requests: not closed, not gone. */
  get usable(): boolean {
    return !this.#closed && this.#replies.lost === null;
  }

  /**
   * Starts `argv` with the starter's environment, `set` added and `unset` removed, in `cwd`
   * (the starter's own when undefined); false when a field holds a NUL, which only Node's own
   * spawn can refuse as it should. A word's bytes that are not UTF-8 reach the command as given. `into`: a pipe manifold has open, its stdout instead of a
   * pipe to manifold (Python's starter only: false from Perl's).
   */
  start(
    argv: readonly string[],
    set: readonly (readonly [string, string])[],
    unset: readonly string[],
    pipedStderr: boolean,
    cwd: string | undefined,
    events: SpawnEvents,
    relay?: RelaySpec,
    into?: number,
  ): boolean {
    if (into !== undefined && (relay !== undefined || this.#program !== 'python3')) return false;
    const fields = [
      // t: it takes the input, and is started with the first of it that it is given.
      relay?.takesInput ? 't' : relay !== undefined ? 'r' : into !== undefined ? 'o' : 's',
      String(this.#next),
      ...(into === undefined ? [] : [`/proc/${process.pid}/fd/${into}`]),
      ...(relay === undefined
        ? []
        : [
            relay.delimiter.toString('hex'),
            String(relay.maxRecord),
            relay.okStatus.join(','),
            relay.block === undefined ? '-' : String(relay.block),
            String(relay.ordered?.memory ?? 0),
          ]),
      pipedStderr ? '1' : '',
      cwd ?? '',
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
    this.#replies.expectStart(id, events, relay?.takesInput === true);
    // Fields are bytes to the starter: a word's bytes not UTF-8 go as given (raw-arguments.ts).
    const end = Buffer.of(0);
    this.#child.stdin!.write(Buffer.concat(fields.flatMap((field) => [wordBytes(field), end])));
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
    if (!this.#relays || this.#replies.lost !== null) return;
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
    this.#replies.expectFeed(id, done);
    const proc = `/proc/${process.pid}/fd`;
    this.#child.stdin!.write(`f\0${id}\0${proc}/${pipe}\0${proc}/${file}\0${at}\0${length}\0`);
  }

  /**
   * Hands the starter manifold's input, the pipe it has open as `fd`, for the commands started
   * with `RelaySpec.takesInput`: it cuts it into pieces of whole records (ended by `delimiter`,
   * of at most `cap` bytes, each to the command with most room in its pipe) and moves them with
   * `splice`, never through manifold (`spawner-python-input.ts`). Manifold must not read `fd`.
   */
  takeInput(fd: number, delimiter: Buffer, maxRecord: number, cap: number): TakingInput {
    const id = this.#next++;
    const ended = new Promise<InputEnd>((resolve) => {
      if (!this.feeds) {
        const message = this.#replies.lost ?? undefined;
        resolve({
          kind: 'failed',
          code: 'ESPAWNER',
          ...(message === undefined ? {} : { message }),
        });
        return;
      }
      this.#replies.expectInput(id, resolve);
      const path = `/proc/${process.pid}/fd/${fd}`;
      this.#child.stdin!.write(
        `i\0${id}\0${path}\0${delimiter.toString('hex')}\0${maxRecord}\0${cap}\0`,
      );
    });
    const stop = () => {
      if (!this.#replies.dropInput(id)) return;
      if (this.usable) this.#child.stdin!.write(`e\0${id}\0`);
      this.#replies.settle();
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
    // The shared starter stays for slots still to take it (a slot takes it at its first command,
    // `--cat` after its block's file is written): given back first, a block's ordered relay went
    // to a second starter, which waited for ever for the block before, the first one's. Idle, it
    // keeps nothing alive; `closed()` ends it (the library's end), or manifold's exit does.
    if (shared === this && this.usable) return;
    this.#end();
  }

  #end(): void {
    if (shared === this) shared = null;
    if (this.#closed) return;
    this.#closed = true;
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) {
      const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      ending.add(ended);
      void ended.then(() => ending.delete(ended));
    }
    child.stdin!.end();
  }

  /** Resolves once every starter closed so far has ended (it tells its commands' ends first). */
  static async closed(): Promise<void> {
    if (shared !== null && shared.#holders === 0) shared.#end();
    await Promise.all(ending);
  }
}
