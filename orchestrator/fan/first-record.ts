import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandSpec } from '../workers/command.js';
import { findProgram } from '../workers/which.js';

// Whether a per-block worker may read MANIFOLD_FIRST_RECORD, which costs a run from a file the
// count of every record of every block (docs/fan.md, "Which worker, which block").

const NAME = 'MANIFOLD_FIRST_RECORD';
/** A file the command names is read for the name up to this size (a script, a small program). */
const READ_MOST = 16 * 1024 * 1024;
/** What separates a shell line's words, for the files it names. */
const SHELL_WORDS = /[\s;&|()<>'"`=]+/;
/** A word that may name a program on PATH (`count-lines`), not an expression or a flag. */
const PROGRAM_NAME = /^[\w][\w.+-]*$/;

/**
 * Whether `command` names MANIFOLD_FIRST_RECORD: in its words (a shell line's
 * `$MANIFOLD_FIRST_RECORD`, awk's `ENVIRON["MANIFOLD_FIRST_RECORD"]`), or in a file they name
 * (the program run, found on PATH as the shell finds it, a script given to an interpreter:
 * `python3 number.py`, `awk -f number.awk`, read whole up to 16 MiB: a program that reads a
 * variable by its name holds the name).
 */
export function namesFirstRecord(command: CommandSpec): boolean {
  return command.argv.some((word) => word.includes(NAME)) || filesName(command);
}

function filesName(command: CommandSpec): boolean {
  const cwd = command.cwd ?? process.cwd();
  const words = command.shell ? command.argv.join(' ').split(SHELL_WORDS) : command.argv;
  const files = new Set<string>();
  for (const [i, word] of words.entries()) {
    if (word === '' || word.startsWith('-')) continue;
    // A program's name is looked up as the shell would; any word may be a file's path.
    if (!word.includes('/') && (i === 0 || command.shell) && PROGRAM_NAME.test(word)) {
      const found = findProgram(word, command.env?.PATH ?? process.env.PATH);
      if ('found' in found) files.add(resolve(cwd, found.found));
    }
    files.add(resolve(cwd, word));
  }
  for (const file of files) if (holdsName(file)) return true;
  return false;
}

/** Whether `file` is a regular file of at most READ_MOST bytes that holds the name. */
function holdsName(file: string): boolean {
  try {
    const stat = statSync(file);
    return stat.isFile() && stat.size <= READ_MOST && readFileSync(file).includes(NAME);
  } catch {
    return false;
  }
}
