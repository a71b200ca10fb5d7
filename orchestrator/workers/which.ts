import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { holdsBytes, wordBytes } from '../../filters/sdk/raw-arguments.js';

/**
 * Finds a program as the shell would: a name with a slash is a path; any other is looked up in
 * PATH. Returns the path, or why it cannot be run, so a missing command is reported before any
 * input is read.
 */
export function findProgram(
  name: string,
  path = process.env.PATH ?? '',
): { found: string } | { problem: string } {
  if (name.includes('/')) return check(name) ?? { problem: problemOf(name) };
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir === '' ? '.' : dir, name);
    const found = check(candidate);
    if (found) return found;
  }
  return { problem: 'command not found' };
}

/** A file's name as the system is given it: a word's bytes not UTF-8 as they are. */
const pathOf = (file: string) => (holdsBytes(file) ? wordBytes(file) : file);

function check(file: string): { found: string } | null {
  try {
    if (!statSync(pathOf(file)).isFile()) return null;
    accessSync(pathOf(file), constants.X_OK);
    return { found: file };
  } catch {
    return null;
  }
}

function problemOf(file: string): string {
  try {
    if (statSync(pathOf(file)).isDirectory()) return 'is a directory';
    accessSync(pathOf(file), constants.X_OK);
    return 'cannot be run';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not executable';
  }
}
