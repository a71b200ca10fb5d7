import { delimiter, resolve } from 'node:path';
import { nameOnOneLine, quoteForSh } from '../../filters/errors.js';
import type { CommandSpec } from '../workers/command.js';
import { findProgram } from '../workers/which.js';

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'in',
  '!',
  '{',
  '}',
  '(',
  ')',
  'time',
]);
const BUILTINS = new Set([
  'cd',
  'echo',
  'printf',
  'test',
  '[',
  'read',
  'exec',
  'export',
  'set',
  'true',
  'false',
  ':',
  'eval',
  'trap',
  'wait',
  'exit',
  'ulimit',
  'umask',
  'shift',
  'local',
  'return',
  'unset',
  'command',
  'type',
  '.',
  'source',
]);

/** A config command: a string runs with /bin/sh -c, an array runs directly. */
export function toCommand(value: string | string[], env: Record<string, string>): CommandSpec {
  return typeof value === 'string'
    ? { argv: [value], shell: true, env }
    : { argv: value, shell: false, env };
}

/**
 * The programs a command would run that cannot be found, looked up as the shell would (in
 * `folder` for names with a slash), on the command's PATH. For a shell string, the first word of each simple command
 * is checked, leaving out keywords, builtins, assignments and words the shell would expand.
 */
export function missingPrograms(command: CommandSpec, folder: string): string[] {
  const names = command.shell ? firstWords(command.argv.join(' ')) : [command.argv[0]!];
  // The PATH the command runs with, its own env's first; it runs in `folder`, where a relative
  // folder of it (an empty one is the current) is.
  const search = (command.env?.PATH ?? process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => resolve(folder, dir))
    .join(delimiter);
  const missing: string[] = [];
  for (const name of names) {
    const path = name.includes('/') && !name.startsWith('/') ? `${folder}/${name}` : name;
    const found = findProgram(path, search);
    if ('problem' in found) missing.push(`${nameOnOneLine(name)}: ${found.problem}`);
  }
  return missing;
}

function firstWords(script: string): string[] {
  const words: string[] = [];
  const functions = new Set<string>();
  // Quoted text is not looked into: its separators are not the shell's. Redirections like
  // 2>&1, >&2, <&0 and 3>&- hold an & that separates nothing.
  const bare = script
    .replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, ' q ')
    .replace(/\d*[<>]&[\d-]+|&>>?/g, ' ');
  for (const segment of bare.split(/\|\||&&|[|;&\n]|\$\(|`/)) {
    const tokens = segment
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    // `for x in ...`, `case w in`, `select`: the words after the keyword are not commands.
    if (['for', 'case', 'select'].includes(tokens[0] ?? '')) continue;
    let i = 0;
    while (
      i < tokens.length &&
      (/^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[i]!) || KEYWORDS.has(tokens[i]!))
    )
      i++;
    const word = tokens[i];
    if (word === undefined) continue;
    const defined =
      /^([A-Za-z_][A-Za-z0-9_-]*)\(\)/.exec(word)?.[1] ??
      (word === 'function' ? tokens[i + 1] : undefined);
    if (defined !== undefined) {
      functions.add(defined.replace(/\(\)$/, ''));
      continue;
    }
    if (
      BUILTINS.has(word) ||
      functions.has(word) ||
      /[$`'"*?[\]{}()<>\\]/.test(word) ||
      word === 'q'
    )
      continue;
    words.push(word);
  }
  return words.filter((word) => !functions.has(word));
}

/** Quotes words for /bin/sh, so an array command can join a shell pipeline. */
export function shellQuote(words: string[]): string {
  return words.map(quoteForSh).join(' ');
}
