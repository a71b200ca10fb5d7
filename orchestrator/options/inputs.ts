import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { describeErrno, quoteName, systemWords } from '../../filters/errors.js';
import { ExitCode, errnoText, ManifoldError, UsageError } from '../../filters/index.js';
import { descriptorNamed, descriptorProblem } from './descriptors.js';

/**
 * Checks that each input file can be read, before anything starts; `option` names them in
 * messages (`--input`, `input`). Returns each one's size, for the ETA: null for a pipe or a
 * device (`<(cmd)`, `/dev/stdin`), which is read as a stream.
 */
export function checkInputFiles(files: string[], option: string): (number | null)[] {
  return files.map((file) => {
    const name = quoteName(file);
    // `/dev/fd/N` names a descriptor: one not open, or Node's own (its event loop's pipes, read
    // for ever and deaf to signals) rather than one the shell gave, is refused as a config's is.
    // The library's caller is the process: any descriptor of it is the caller's to give, but
    // Node's own.
    const fd = descriptorNamed(file);
    const problem = fd === null || fd <= 2 ? null : descriptorProblem(fd, 'read');
    if (problem !== null) {
      const hint = option === 'input' ? '' : ` (give it, as ${fd}<file)`;
      throw new UsageError(`${option} ${name}: descriptor ${fd} ${problem.why}${hint}`);
    }
    try {
      const stat = statSync(file);
      if (stat.isDirectory()) throw new UsageError(`${option} ${name}: is a directory`);
      if (stat.isSocket())
        throw new UsageError(`${option} ${name}: is a socket, not a file or pipe`);
      accessSync(file, constants.R_OK);
      return stat.isFile() ? stat.size : null;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${option} ${name}: ${describeErrno(error)}`, error);
    }
  });
}

/**
 * Why `folder`, where a file or socket is to be made, cannot hold it: `no such directory X`, or
 * `X is not a directory` for a file there (both were `no such directory X`); undefined when it
 * is a directory.
 */
export function folderProblem(folder: string): string | undefined {
  const stat = statSync(folder, { throwIfNoEntry: false });
  if (stat === undefined) return `no such directory ${quoteName(folder)}`;
  return stat.isDirectory() ? undefined : `${quoteName(folder)} is not a directory`;
}

/**
 * --stats targets that are no regular file (a FIFO, a device), held open from the check to the
 * summary, as the job log is: closed between, a FIFO's reader took the close for its end and
 * went, and the summary's open waited for a reader gone, deaf to signals.
 */
const heldTargets = new Map<string, number>();

/**
 * Opens the --stats file up front (creating it, keeping what it holds until the summary
 * replaces it), so that a file that cannot be written is a usage error before the run.
 * `-` is stderr.
 */
export function checkStatsTarget(target: string, option = '--stats'): void {
  if (target === '-') return;
  // Nothing to open: it was `no such directory`, of a folder no one named.
  if (target === '') throw new UsageError(`${option} must name a file, or - for stderr`);
  let fd: number;
  const isNew = !existsSync(target);
  try {
    fd = openReport(target, 'a');
  } catch (error) {
    throw new UsageError(`${option} ${quoteName(target)}: ${describeWriteErrno(error)}`, error);
  }
  if (isNew) madeEmpty(target);
  if (fstatSync(fd).isFile() || heldTargets.has(target)) closeSync(fd);
  else heldTargets.set(target, fd);
}

/**
 * A --stats file made by the check and still empty as manifold exits (a run refused after it,
 * its --joblog unwritable) is removed: a refused run writes no summary, nor leaves an empty one.
 */
function madeEmpty(target: string): void {
  if (made.size === 0) process.once('exit', removeEmpty);
  made.add(target);
}

/** The --stats files the checks made (one listener for them all, however many runs). */
const made = new Set<string>();

function removeEmpty(): void {
  for (const target of made) {
    try {
      if (statSync(target).isFile() && statSync(target).size === 0) unlinkSync(target);
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

/**
 * Writes a `--stats` summary at the end: to `target`, or with `stderr` for `-`. The file was
 * opened before the run (`checkStatsTarget`) and can still fail now (a full disk): one line.
 */
export function writeStatsFile(
  target: string,
  summary: unknown,
  stderr: (text: string) => void,
): void {
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  if (target === '-') {
    stderr(text);
    return;
  }
  const held = heldTargets.get(target);
  heldTargets.delete(target);
  made.delete(target);
  try {
    if (held === undefined) writeFileSync(target, text);
    else writeHeld(held, Buffer.from(text));
  } catch (error) {
    throw new ManifoldError(
      'manifold.io',
      `cannot write the --stats file ${quoteName(target)}: ${describeWriteErrno(error)}`,
      { exitCode: ExitCode.failure, cause: error },
    );
  }
}

/** Writes all of `bytes` into a held target, and closes it. */
function writeHeld(fd: number, bytes: Buffer): void {
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
  } finally {
    closeSync(fd);
  }
}

/** Why a file could not be created, in words: a missing part of its path is a missing folder. */
export function describeWriteErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENXIO') return 'a FIFO with no reader: start its reader first';
  return code === 'ENOENT' ? 'no such directory' : describeErrno(error);
}

/**
 * Opens a report's file (the job log, --stats) for writing (`flags`: `w`, `a`). A FIFO is opened
 * only where it has a reader (`ENXIO` where none): an open waits for one, and a run waiting for
 * a reader that never came read no input. The blocking open is made while the probe holds the
 * FIFO, so its reader never sees every writer gone.
 */
export function openReport(path: string, flags: 'w' | 'a'): number {
  if (statSync(path, { throwIfNoEntry: false })?.isFIFO() !== true) return openSync(path, flags);
  const probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    return openSync(path, flags);
  } finally {
    closeSync(probe);
  }
}

/**
 * A failed system call's reason, `no space left on device` from `ENOSPC: no space left on
 * device, write`; null for an error that is not a system call's.
 */
export function systemReason(error: unknown): string | null {
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).syscall !== 'string') {
    return null;
  }
  const code = (error as NodeJS.ErrnoException).code;
  const words = code === undefined ? null : systemWords(code);
  return words ?? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+.*$/, '');
}

/**
 * A system error in words with its code (`no space left on device (ENOSPC)`), any other error by
 * its message: how a line says why a temporary file or folder could not be made or written.
 */
export function reasonInWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (systemReason(error) !== null && code !== undefined) return errnoText(code);
  return error instanceof Error ? error.message : String(error);
}
