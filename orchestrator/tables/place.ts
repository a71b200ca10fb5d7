import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeErrno, quoteName } from '../../filters/errors.js';
import { ExitCode, ManifoldError, UsageError } from '../../filters/index.js';
import { META_FILE, TABLE_FORMAT } from '../../filters/tables/meta.js';
import { folderProblem } from '../options/inputs.js';
import { fsyncPath } from './sync.js';

/**
 * A table is built in a directory beside its target, named `.<name>.building-<pid>`, and renamed
 * into place at success: a killed build leaves nothing at the name, and the next build of the
 * same target removes what a dead build left (its pid is gone).
 */
export function temporaryPath(target: string, pid = process.pid): string {
  return join(dirname(target), `.${basename(target)}.building-${pid}`);
}

/**
 * Removes what builds of `target` that died left beside it (their process is gone). One that
 * cannot be removed (another user's, a read-only table's) is said and left: this build's own
 * names are its process's (it was a raw `Error: EACCES`, and every later build of the name).
 */
export function removeDeadBuilds(target: string, onLeftover?: (line: string) => void): string[] {
  const folder = dirname(target);
  const prefix = `.${basename(target)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(?:building|old)-(\d+)$/.exec(name.slice(prefix.length));
    if (match === null || isAlive(Number(match[1]))) continue;
    if (removeFolder(join(folder, name), "a dead build's folder", onLeftover)) removed.push(name);
  }
  return removed;
}

/** Where a rebuild moves the old table aside, to remove it once the new one is in place. */
export function oldTablePath(target: string): string {
  return join(dirname(target), `.${basename(target)}.old-${process.pid}`);
}

/** Removes `path`; where it cannot be, says so in a line and returns false. */
export function removeFolder(
  path: string,
  what: string,
  onLeftover?: (line: string) => void,
): boolean {
  try {
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch (error) {
    onLeftover?.(
      `${what} ${quoteName(path)} cannot be removed (${describeErrno(error)}): remove it`,
    );
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Checks the target before reading any input: its folder exists, and what is at the name, if
 * anything, is a table (of any version), never a folder of other files that a rebuild would
 * remove.
 */
export function checkTarget(target: string): void {
  const problem = folderProblem(dirname(target));
  if (problem !== undefined) throw new UsageError(`-o ${quoteName(target)}: ${problem}`);
  const there = statOf(target);
  if (there === null) return;
  if (!there.isDirectory())
    throw new UsageError(`-o ${quoteName(target)}: exists and is not a table (a file)`);
  let format: unknown;
  try {
    format = JSON.parse(readFileSync(join(target, META_FILE), 'utf8')).format;
  } catch {
    // Not a table: reported below.
  }
  if (format !== TABLE_FORMAT) {
    throw new UsageError(
      `-o ${quoteName(target)}: exists and is not a table (no ${META_FILE}): remove it or name another`,
    );
  }
}

/**
 * What is at the target, or null for nothing: one that cannot be reached (a loop of links) is
 * refused before any input is read, in words (it failed at the end, `ELOOP: too many ...`).
 */
function statOf(target: string): Stats | null {
  try {
    return statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // A link to nothing: the build ran whole, then could not be put there (`ENOTDIR`).
      if (lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink())
        throw new UsageError(
          `-o ${quoteName(target)}: a symbolic link to nothing (${quoteName(readlinkSync(target))}): remove it or name another`,
        );
      return null;
    }
    throw new UsageError(`-o ${quoteName(target)}: ${describeErrno(error)}`, error);
  }
}

/** Makes the build's directory, empty; a folder that takes none is one line, exit 1. */
export function makeTemporary(path: string, target: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path);
  } catch (error) {
    throw writeFailure(target, error);
  }
}

/**
 * A failure to write the table (a full disk, a folder that takes no new file), one line naming
 * the target: the system's words without the syscall and the temporary name. A `ManifoldError`
 * (already such a line, or a record's error) is itself.
 */
export function writeFailure(target: string, error: unknown): Error {
  if (error instanceof ManifoldError) return error;
  const reason = (error as Error).message.replace(/,\s*\w+( '.*)?$/, '');
  return new ManifoldError(
    'manifold.table',
    `-o ${quoteName(target)}: cannot write the table in ${quoteName(dirname(target))} (${reason})`,
    { exitCode: ExitCode.failure, cause: error },
  );
}

/**
 * Puts the finished table at `target`. A first build is one rename. A rebuild moves the old
 * table aside first (rename cannot replace a directory that holds files), then removes it:
 * processes that have it open keep reading the old files (their inodes live until closed),
 * processes that open the name from now on get the new table. The old is the caller's to remove
 * (`oldTablePath`): the table is built whether or not it can be.
 */
export function placeTable(temporary: string, target: string): void {
  let old: string | null = null;
  try {
    statSync(target);
    old = oldTablePath(target);
    renameSync(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    renameSync(temporary, target);
  } catch (error) {
    // The old table back at its name: the next build would remove it as a dead build's.
    if (old !== null) renameSync(old, target);
    throw error;
  }
  fsyncPath(dirname(target));
}
