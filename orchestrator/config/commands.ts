import { spawnSync } from 'node:child_process';
import { delimiter, resolve } from 'node:path';
import { nameOnOneLine, quoteForSh } from '../../filters/errors.js';
import type { CommandSpec } from '../workers/command.js';
import { findProgram } from '../workers/which.js';
import { readCommands } from './shell-words.js';

// Builtins of every /bin/sh (POSIX's, and those most shells add), not looked for on PATH; one
// this list lacks is asked of the shell itself (shellRunsItself).
const BUILTINS = new Set(
  (
    '. : [ alias bg break cd command continue echo eval exec exit export false fc fg getopts ' +
    'hash jobs kill local printf pwd read readonly return set shift source test times trap ' +
    'true type ulimit umask unalias unset wait'
  ).split(' '),
);
// Commands after which a line's words are not sure: they define commands (aliases, functions
// of a sourced file), probe for programs to run only those found, or change the folder.
const DEFINE = ['alias', 'eval', '.', 'source'];
const PROBE = ['command', 'type', 'hash', 'which', 'whence'];
const MOVE = ['cd', 'pushd', 'popd'];

/** A config command: a string runs with /bin/sh -c, an array runs directly. */
export function toCommand(value: string | string[], env: Record<string, string>): CommandSpec {
  return typeof value === 'string'
    ? { argv: [value], shell: true, env }
    : { argv: value, shell: false, env };
}

/**
 * The programs a command would run that cannot be found, looked up as the shell would (in
 * `folder` for names with a slash), on the command's PATH. For a shell string, the commands it
 * surely runs (shellPrograms), but builtins of this machine's /bin/sh.
 */
export function missingPrograms(command: CommandSpec, folder: string): string[] {
  const names = command.shell ? shellPrograms(command.argv.join(' ')) : [command.argv[0]!];
  // The PATH the command runs with, its own env's first; it runs in `folder`, where a relative
  // folder of it (an empty one is the current) is.
  const search = (command.env?.PATH ?? process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => resolve(folder, dir))
    .join(delimiter);
  const missing: [string, string][] = [];
  for (const name of names) {
    const path = name.includes('/') && !name.startsWith('/') ? `${folder}/${name}` : name;
    const found = findProgram(path, search);
    if ('problem' in found) missing.push([name, found.problem]);
  }
  const own = command.shell
    ? shellRunsItself(missing.map(([name]) => name).filter((name) => !name.includes('/')))
    : new Set<string>();
  return missing
    .filter(([name]) => !own.has(name))
    .map(([name, problem]) => `${nameOnOneLine(name)}: ${problem}`);
}

/**
 * The programs a shell string surely runs, where they are sure (shell-words.ts): not
 * functions it defines, none on PATH where it sets PATH or probes for programs, none by a
 * relative path where it changes folder, and none at all where it can define commands.
 */
function shellPrograms(script: string): string[] {
  const line = readCommands(script);
  if (line === null || DEFINE.some((name) => line.used.has(name))) return [];
  // PATH set (PATH=..., export PATH, read PATH), not only read as $PATH or ${PATH...}.
  const searched = !/(?:^|[^$\w{])PATH\b/.test(script) && !PROBE.some((n) => line.used.has(n));
  const moved = MOVE.some((name) => line.used.has(name));
  return [...new Set(line.sure)].filter(
    (name) =>
      !BUILTINS.has(name) &&
      !line.functions.has(name) &&
      !/[*?[\]{}~]/.test(name) &&
      (name.includes('/') ? name.startsWith('/') || !moved : searched),
  );
}

const ownNames = new Map<string, boolean>();

/**
 * Which of `names` /bin/sh runs itself, its builtins and keywords (`command -v` with no PATH
 * to search): they vary by shell (bash's `[[`, dash's `times`). Asked once per name.
 */
function shellRunsItself(names: string[]): Set<string> {
  const asked = [...new Set(names)].filter((name) => !ownNames.has(name));
  if (asked.length > 0) {
    const script = 'for n do command -v -- "$n" >/dev/null 2>&1 && printf "%s\\n" "$n"; done';
    const result = spawnSync('/bin/sh', ['-c', script, 'sh', ...asked], {
      encoding: 'utf8',
      env: { PATH: '/dev/null' },
    });
    const said = new Set((result.stdout ?? '').split('\n'));
    // A shell that cannot be asked would not run the line either: its own failure, not this.
    for (const name of asked) ownNames.set(name, result.error !== undefined || said.has(name));
  }
  return new Set(names.filter((name) => ownNames.get(name)));
}

/** Quotes words for /bin/sh, so an array command can join a shell pipeline. */
export function shellQuote(words: string[]): string {
  return words.map(quoteForSh).join(' ');
}
