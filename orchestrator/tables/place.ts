import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../filters/index.js';
import { fsyncPath } from './sync.js';

/**
 * A table is built in a directory beside its target, named `.<name>.building-<pid>`, and renamed
 * into place at success: a killed build leaves nothing at the name, and the next build of the
 * same target removes what a dead build left (its pid is gone).
 */
export function temporaryPath(target: string, pid = process.pid): string {
  return join(dirname(target), `.${basename(target)}.building-${pid}`);
}

/** Removes what builds of `target` that died left beside it (their process is gone). */
export function removeDeadBuilds(target: string): string[] {
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
    rmSync(join(folder, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Checks the target can be written before reading any input: its folder exists. */
export function checkTarget(target: string): void {
  const folder = dirname(target);
  let isDirectory = false;
  try {
    isDirectory = statSync(folder).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDirectory) throw new UsageError(`-o ${target}: no such directory ${folder}`);
  try {
    if (!statSync(target).isDirectory()) {
      throw new UsageError(`-o ${target}: exists and is not a table (a file)`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
  }
}

/** Makes the build's directory, empty. */
export function makeTemporary(path: string): void {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path);
}

/**
 * Puts the finished table at `target`. A first build is one rename. A rebuild moves the old
 * table aside first (rename cannot replace a directory that holds files), then removes it:
 * processes that have it open keep reading the old files (their inodes live until closed),
 * processes that open the name from now on get the new table.
 */
export function placeTable(temporary: string, target: string): void {
  let old: string | null = null;
  try {
    statSync(target);
    old = join(dirname(target), `.${basename(target)}.old-${process.pid}`);
    renameSync(target, old);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(temporary, target);
  fsyncPath(dirname(target));
  if (old !== null) rmSync(old, { recursive: true, force: true });
}
