import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  open,
  openSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ExitCode, ManifoldError } from '../../filters/index.js';
import { descriptorNamed } from '../options/descriptors.js';
import { reasonInWords } from '../options/inputs.js';
import { checkGiven } from './given-descriptor.js';

/**
 * A config's output file, written whole or not at all: into a temporary file beside it, renamed
 * into place by `commit`. The temporary name is unguessable and created exclusively, without
 * following a symbolic link, so nobody can plant a link there that the run would write through.
 * It is created readable by its owner only; `commit` gives it the mode the output had, or that of
 * a new file (0666 less the umask). An output that is no regular file (`/dev/null`, a FIFO) is
 * written directly, as a shell's `>` would: renaming over it would replace the device.
 */
export class AtomicOutput {
  /** The temporary file's descriptor, for the last stage to write to. */
  readonly fd: number;
  readonly #target: string;
  /** The output as the config names it, for messages. */
  readonly #name: string;
  readonly #temporary: string | null;
  readonly #mode: number;

  /** Written to a regular file (through a temporary one): no reader can close it (EPIPE). */
  get isFile(): boolean {
    return this.#temporary !== null;
  }

  /**
   * Opens the output. A named pipe's open waits for a reader, perhaps for ever: it is made on
   * the thread pool, so that a signal is still heard, and given up when `stopped` aborts
   * (resolving to null). Opened on the main thread, it left manifold deaf to SIGTERM and SIGINT.
   */
  static async open(given: string, stopped: AbortSignal): Promise<AtomicOutput | null> {
    const held = heldDescriptor(given);
    if (held !== null) return new AtomicOutput(given, held);
    const target = throughLinks(given);
    if (!statOf(target)?.isFIFO()) return new AtomicOutput(given);
    let fd: number | null;
    try {
      fd = await openForWriting(target, stopped);
    } catch (error) {
      throw outputError(given, error);
    }
    return fd === null ? null : new AtomicOutput(given, fd);
  }

  /** `fd`: the output, opened already (a named pipe, or a descriptor manifold was given). */
  constructor(given: string, fd?: number) {
    // An output that is a symbolic link is written through it, as `>` writes: the file it names
    // is replaced (created, when the link dangles), and the link stays.
    const target = throughLinks(given);
    this.#target = target;
    this.#name = given;
    const existing = statOf(target);
    this.#mode = existing ? existing.mode & 0o7777 : 0o666 & ~umask();
    const direct = fd !== undefined || (existing !== null && !existing.isFile());
    this.#temporary = direct
      ? null
      : join(
          dirname(target),
          `.${basename(target)}.manifold-${randomBytes(8).toString('hex')}.tmp`,
        );
    try {
      this.fd =
        fd !== undefined
          ? fd
          : this.#temporary === null
            ? openSync(target, constants.O_WRONLY)
            : openSync(
                this.#temporary,
                constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
                0o600,
              );
    } catch (error) {
      // Written beside it and renamed: a folder that takes no new file (`/proc`, one not
      // writable) is said as the folder's, or the file's own name misled.
      const beside = this.#temporary === null ? undefined : dirname(target);
      throw outputError(given, error, beside);
    }
    // Should manifold end by an error no one caught, the temporary file still goes.
    if (this.#temporary !== null) process.once('exit', this.#onExit);
  }

  readonly #onExit = (): void => this.discard();

  /** Puts the output in place; on failure the temporary file is removed and the error thrown. */
  commit(): void {
    if (this.#temporary === null) return;
    process.removeListener('exit', this.#onExit);
    try {
      chmodSync(this.#temporary, this.#mode);
      renameSync(this.#temporary, this.#target);
    } catch (error) {
      this.discard();
      throw outputError(this.#name, error);
    }
  }

  discard(): void {
    process.removeListener('exit', this.#onExit);
    if (this.#temporary !== null) rmSync(this.#temporary, { force: true });
  }
}

/**
 * Opens a named pipe for writing off the main thread. Stopped, it is its own reader for a moment
 * (a non-blocking open for reading waits for nobody), so the waiting open returns, and is closed.
 */
function openForWriting(path: string, stopped: AbortSignal): Promise<number | null> {
  if (stopped.aborted) return Promise.resolve(null);
  let reader: number | null = null;
  const unblock = () => {
    try {
      reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch {}
  };
  stopped.addEventListener('abort', unblock, { once: true });
  return new Promise((resolve, reject) => {
    open(path, constants.O_WRONLY, (error, fd) => {
      stopped.removeEventListener('abort', unblock);
      if (reader !== null) closeSync(reader);
      if (error !== null) reject(error);
      else if (stopped.aborted) {
        closeSync(fd);
        resolve(null);
      } else resolve(fd);
    });
  });
}

/**
 * The descriptor an output such as `/dev/stdout`, `/dev/stdin`, `/dev/fd/N` or `/proc/self/fd/N`
 * names, written as it was given, as a shell's `cat > /dev/stdout` writes: where the shell
 * appends (`>>`), or after what was written already. Followed through its links it names the
 * file the shell opened, which would be replaced (`manifold run x.yaml >> log` would lose what
 * log held). A descriptor that is not open, open for reading only (stdin, mostly), or not one
 * manifold was given is one line, naming the output (`checkGiven`). Null for any other output.
 */
export function heldDescriptor(path: string): number | null {
  const fd = descriptorNamed(path);
  if (fd === null) return null;
  checkGiven(fd, path, 'write');
  return fd;
}

/** `path` with each symbolic link it is followed to what it names, as open(2) would. */
function throughLinks(path: string): string {
  let current = path;
  // Past 40 links open(2) says ELOOP: then the open below says so, with the name given.
  for (let links = 0; links < 40; links++) {
    let stat: Stats;
    try {
      stat = lstatSync(current);
    } catch {
      return current;
    }
    if (!stat.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  return path;
}

function statOf(target: string): Stats | null {
  try {
    return statSync(target);
  } catch {
    return null;
  }
}

/** The umask, read without changing it (`process.umask()` without an argument is deprecated). */
function umask(): number {
  const line = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return line ? Number.parseInt(line[1]!, 8) : 0o022;
}

/**
 * `cannot write output "out.txt": is a directory (EISDIR)`, exit 1: a system error in the
 * system's words, as every other line says one (it was Node's `EISDIR: illegal operation on a
 * directory`); a socket, which no open writes, said as one (`ENXIO: no such device or address`).
 */
function outputError(target: string, error: unknown, folder?: string): ManifoldError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENXIO' && statSync(target, { throwIfNoEntry: false })?.isSocket() === true
      ? 'it is a socket, which cannot be opened to write: write to a file, a FIFO or a descriptor'
      : folder !== undefined
        ? `cannot make its temporary file in ${folder}: ${reasonInWords(error)}`
        : reasonInWords(error);
  return new ManifoldError('manifold.io', `cannot write output "${target}": ${reason}`, {
    exitCode: ExitCode.failure,
    cause: error,
  });
}
