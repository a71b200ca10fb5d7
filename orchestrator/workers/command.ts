import { getPriority } from 'node:os';
import { nameOnOneLine, oneLine, quoteForSh, quoteName } from '../../filters/errors.js';
import { holdsBytes, showWord } from '../../filters/sdk/raw-arguments.js';
import type { SlotSpec } from './transport.js';

/** What to run: a program and its arguments, or a shell command line. */
export interface CommandSpec {
  /** Program and arguments; with `shell`, one command line for /bin/sh -c. */
  argv: string[];
  shell: boolean;
  env?: Record<string, string>;
  /** The folder it runs in (a config's, for its fans). @default manifold's working directory */
  cwd?: string;
  /** --nice: the niceness it starts at (-20 to 19). @default manifold's own */
  nice?: number;
}

/**
 * The program and arguments to start: `/bin/sh -c <line>` for a shell command, under
 * `nice -n` for a niceness other than manifold's own. nice(1) is relative to the niceness it
 * starts at, which is manifold's: the starters inherit it. It sets it and execs the command, in
 * the same process: its pid and process group are the command's.
 */
export function argvToRun(command: CommandSpec): string[] {
  const argv = command.shell ? ['/bin/sh', '-c', command.argv.join(' ')] : command.argv;
  if (command.nice === undefined) return argv;
  const by = command.nice - getPriority();
  return by === 0 ? argv : ['nice', '-n', String(by), '--', ...argv];
}

/**
 * The command as a message names it, in one line: a shell string of several lines (a block
 * scalar of a config, a worker's sub-pipeline) with its line breaks made spaces, and a word
 * with bytes that are not UTF-8 in `$'...'` (`grep $'\xe9'`), and so a word with a control
 * character (`$'a\rb'`: a carriage return hid the line's start), or a shell string with one
 * left (an escape sequence).
 */
export function commandText(command: CommandSpec): string {
  const word = (w: string) => (holdsBytes(w) ? showWord(w) : nameOnOneLine(w));
  if (!command.shell) return shortened(command.argv.map(word).join(' '));
  const text = oneLine(command.argv.map(showWord).join(' ')).trim();
  return shortened(/[^\P{Cc}\t]/u.test(text) ? quoteName(text) : text);
}

/** The most characters of a command a line shows: one too long for the system was 140 KB. */
const SHOWN = 300;

/** `text`, cut to its first characters and its length when longer than a line shows. */
function shortened(text: string): string {
  if (text.length <= SHOWN) return text;
  return `${[...text.slice(0, SHOWN)].slice(0, SHOWN - 60).join('')}… (${text.length} characters)`;
}

/** Whether a word of `command` has bytes that are not UTF-8, to reach it as given. */
export function commandHoldsBytes(command: CommandSpec): boolean {
  return command.argv.some(holdsBytes);
}

/**
 * What GNU parallel's replacement strings stand for in one instance's command: `{%}` its slot,
 * `{#}` its block's number (a per-block instance's alone), `{}` its block's file (--cat,
 * --fifo). Each is what the instance's environment says (`MANIFOLD_WORKER`, `MANIFOLD_BLOCK`).
 */
export interface Replacements {
  slot: number;
  block?: number;
  file?: string;
}

/** The replacement strings manifold knows, as GNU parallel spells them. */
const REPLACEMENT = /\{[#%]?\}/g;

/**
 * A --tagstring with its `{%}` and `{#}` replaced, in one pass, as the command's are (`{#}` left
 * as written where there is no block: checked before anything runs); --tag's is `{%}`.
 */
export function tagFor(template: string, slot: number, block?: number): string {
  if (!template.includes('{')) return template;
  return template.replace(/\{[#%]\}/g, (found) =>
    found === '{%}' ? String(slot) : (block?.toString() ?? found),
  );
}

/** --tag's tag: the worker's slot, as `--tagstring '{%}'`. */
export const SLOT_TAG = '{%}';

/**
 * What each stderr line of an instance of `spec`'s slot (of `block`, a per-block instance's)
 * is prefixed with: its tag and a TAB under --tag or --tagstring, its slot's number for a
 * stream that names workers by it (the library's tail), else nothing.
 */
export function stderrTag(spec: SlotSpec, block?: number): string {
  const to = spec.stderr;
  if (!spec.tag && to?.tagged !== true) return '';
  const template = to?.bySlot === true ? SLOT_TAG : (spec.tagString ?? SLOT_TAG);
  return `${tagFor(template, spec.slot, block)}\t`;
}

/** Where a block's file goes in a command (--cat, --fifo), as GNU parallel's `{}`. */
const PLACE = '{}';

/** Whether the command has `{#}` in a word: the block's number, which only a per-block worker has. */
export function namesBlock(command: CommandSpec): boolean {
  return command.argv.some((arg) => arg.includes('{#}'));
}

/**
 * The command one instance runs: each `{%}`, `{#}` and `{}` within its words (`part-{#}.txt`
 * too) replaced by what it stands for, in one pass, so that a value is never read again for
 * another (a path with `{%}` in it stays as it is). Under `shell` the path is quoted as /bin/sh
 * reads it back, so a path with blanks stays one word; numbers need no quoting. What the
 * instance has no value for stays as written (`{}` of a worker given its block on stdin: `jq
 * '{}'`). A --cat/--fifo command with no `{}` gets the path as its last word, as GNU parallel's
 * `--cat` does.
 */
export function commandFor(command: CommandSpec, values: Replacements): CommandSpec {
  const { slot, block, file } = values;
  const path = file === undefined ? undefined : command.shell ? quoteForSh(file) : file;
  const replacing = (found: string): string | undefined =>
    found === '{%}' ? String(slot) : found === '{#}' ? block?.toString() : path;
  let changed = false;
  const argv = command.argv.map((arg) =>
    arg.includes('{')
      ? arg.replace(REPLACEMENT, (found) => {
          const value = replacing(found);
          if (value === undefined) return found;
          changed = true;
          return value;
        })
      : arg,
  );
  if (path !== undefined && !command.argv.some((arg) => arg.includes(PLACE))) {
    return { ...command, argv: [...argv, path] };
  }
  return changed ? { ...command, argv } : command;
}
