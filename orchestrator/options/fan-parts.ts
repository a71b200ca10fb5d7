import {
  type Framing,
  type KeySpec,
  parseFraming,
  parseKeySpec,
  UsageError,
} from '../../filters/index.js';
import type { FanOptions } from '../fan/options.js';
import { parseTableBindings, tableEnvironment } from '../fan/tables.js';
import { namesBlock } from '../workers/command.js';
import { shellSyntaxProblem } from '../workers/shell-syntax.js';
import { at, flag, type NameOf, OptionError, show, text } from './checks.js';
import { FAN_DEFAULTS, type FanSettings } from './fan-settings.js';

// The parts of a fan's settings that resolveFanSettings (fan.ts) makes of several options or of
// a structured value: the tables' environment, the command (and whether a {#} in it has a
// value), the key, the output's framing, and whether --tag fits it. Each message names its
// option as `name` spells it.

/**
 * `{#}` in the command is the block's number, as GNU parallel's: only a process that runs one
 * block has one. A worker that stays takes many, so it is refused there rather than left as
 * written, which the command would take as text (`cat > part-{#}.txt`: one file for all).
 */
export function checkBlockNamed(
  command: { argv: string[]; shell: boolean },
  attribution: FanOptions['attribution'],
  name: NameOf,
  threads = false,
): void {
  if (attribution === 'per-block' || !namesBlock(command)) return;
  const who = threads
    ? `a thread (${name('threads')}) takes many: leave out ${name('threads')} and run`
    : attribution === 'none'
      ? 'a worker that stays takes many: run'
      : `a worker of ${name(attribution === 'one-to-one' ? 'oneToOne' : 'protocol')} takes many: run`;
  throw new OptionError(
    'command',
    `{#} in ${name('command')} is the number of the one block its process runs, and ${who} a process per block with ${name('perBlock')} (as parallel --pipe does), or leave {#} out`,
  );
}

/**
 * --tagstring: the string, checked: not with --tag (which is `--tagstring '{%}'`), and its `{#}`
 * only where each record's block is known and one block is each process's (a process per
 * block; not the sorted merge, which writes records of many blocks together).
 */
/**
 * `\t`, `\n`, `\r` and `\NNN` (octal, up to three digits) in a tag string as the characters
 * they name, as GNU parallel's `unquote_printf` reads `--tagstring` (`'{%}\t'`).
 */
function unquotePrintf(tag: string): string {
  const named: Record<string, string> = { t: '\t', n: '\n', r: '\r' };
  return tag
    .replace(/\\([tnr])/g, (_, c: string) => named[c]!)
    .replace(/\\([0-7]{1,3})/g, (_, digits: string) =>
      String.fromCharCode(Number.parseInt(digits, 8)),
    );
}

export function tagStringOf(
  settings: FanSettings,
  attribution: FanOptions['attribution'],
  merge: FanOptions['merge'],
  output: Framing,
  name: NameOf,
): string | undefined {
  if (settings.tagString === undefined) return undefined;
  const tag = unquotePrintf(text(settings.tagString, 'tagString', name));
  if (flag(settings, 'tag', name)) {
    throw new OptionError(
      'tagString',
      `choose one of ${name('tag')} and ${name('tagString')}: ${name('tag')} is ${name('tagString')} '{%}'`,
    );
  }
  if (output.kind === 'delimited' && Buffer.from(tag).includes(output.delimiter)) {
    throw new OptionError(
      'tagString',
      `${name('tagString')} ${show(tag)} holds the output's record delimiter (${output.name}): each tagged record would be cut in two`,
    );
  }
  if (!tag.includes('{#}')) return tag;
  if (attribution !== 'per-block') {
    throw new OptionError(
      'tagString',
      `{#} in ${name('tagString')} is the block's number, which a worker that takes many blocks has not for each of its lines: use ${name('perBlock')}, or leave {#} out`,
    );
  }
  if (merge === 'sorted') {
    throw new OptionError(
      'tagString',
      `{#} in ${name('tagString')} is the block's number, and ${name('merge', 'sorted')} writes the records of many blocks together: use ${name('merge', 'ready')} or ordered, or leave {#} out`,
    );
  }
  return tag;
}

/** The environment that names the tables to every worker, once each is checked. */
export function tablesOf(
  settings: FanSettings,
  fan: { workers: number; dispatch: FanOptions['dispatch'] },
  name: NameOf,
): Record<string, string> | undefined {
  const { table } = settings;
  if (table === undefined) return undefined;
  if (!Array.isArray(table) || !table.every((value) => typeof value === 'string')) {
    throw new OptionError(
      'table',
      `${name('table')} must be a list of NAME=PATH (got ${show(table)})`,
    );
  }
  if (table.length === 0) return undefined;
  return tableEnvironment(parseTableBindings(table, name('table')), { ...fan, name });
}

/** The command: an argv array (run directly, unless `shell`), or a string for /bin/sh -c. */
export function commandOf(settings: FanSettings, name: NameOf): { argv: string[]; shell: boolean } {
  const { command } = settings;
  const shell = flag(settings, 'shell', name);
  if (typeof command === 'string') {
    if (command.trim() === '')
      throw new OptionError('command', `${name('command')} must not be empty`);
    if (settings.shell === false) {
      throw new OptionError(
        'shell',
        `${name('shell')} is false, but ${name('command')} is a string, which runs with /bin/sh -c: give an argv array to run without a shell`,
      );
    }
    return { argv: [command], shell: true };
  }
  if (
    !Array.isArray(command) ||
    command.length === 0 ||
    !command.every((word) => typeof word === 'string')
  ) {
    throw new OptionError(
      'command',
      `${name('command')} must be an argv array (program first) or a shell command line (got ${show(command)})`,
    );
  }
  if (command[0] === '')
    throw new OptionError('command', `${name('command')} has an empty program (its first word)`);
  // Words for /bin/sh -c that are blanks run nothing: it exits 0 having read none of the input
  // (`--shell -- ' '` passed, its output empty), as a config's `run: "  "` did before its check.
  if (shell && command.join(' ').trim() === '')
    throw new OptionError(
      'command',
      `${name('command')} is a command line of blanks: it runs nothing`,
    );
  return { argv: [...command], shell };
}

/**
 * A command line for /bin/sh -c that this machine's shell cannot parse, refused before any
 * input is read: `--shell -- 'cat |'` started, and every worker failed with the shell's line,
 * exit 1. A config's check asks the same (config/check-commands.ts). Left to the hosts' shell
 * when the command runs only there.
 */
export function checkShellSyntax(command: { argv: string[]; shell: boolean }, name: NameOf) {
  if (!command.shell) return;
  const problem = shellSyntaxProblem(command.argv.join(' '));
  if (problem !== null)
    throw new OptionError('command', `/bin/sh cannot parse ${name('command')}: ${problem}`);
}

export function keySpec(settings: FanSettings, name: NameOf): KeySpec {
  const { fieldSep } = settings;
  const separator = fieldSep === undefined ? undefined : text(fieldSep, 'fieldSep', name);
  const spec = text(settings.key ?? FAN_DEFAULTS.key, 'key', name);
  let key: KeySpec;
  try {
    key = parseKeySpec(spec, separator, name('key'), name('fieldSep'));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const option = error.message.startsWith(name('fieldSep')) ? 'fieldSep' : 'key';
    throw new OptionError(option, error.message, error.cause);
  }
  // A separator splits a field:N key's fields; any other key would ignore it, unsaid.
  const { groupBy } = settings;
  const grouped = typeof groupBy === 'string' && groupBy.startsWith('field:');
  if (separator !== undefined && key.kind !== 'field' && !grouped) {
    // Given --group-by, it is named too: the separator was most likely meant for it.
    const or = typeof groupBy === 'string' ? ` or ${name('groupBy')} field:N` : '';
    const is = typeof groupBy === 'string' ? `, ${name('groupBy')} ${groupBy}` : '';
    throw new OptionError(
      'fieldSep',
      `${name('fieldSep')} ${show(separator)} splits the fields of ${name('key')} field:N${or}: it needs one (${name('key')} is ${spec}${is})`,
    );
  }
  return key;
}

/**
 * --group-by's key, or undefined: blocks end only where it changes. It splits fields on
 * --field-sep as --key does. Not with --records (which counts records a block) nor --dispatch
 * hash (which gives each key's records to one worker already, and cuts no blocks of the input).
 */
export function groupBySpec(
  settings: FanSettings,
  dispatch: string,
  name: NameOf,
): KeySpec | undefined {
  if (settings.groupBy === undefined) return undefined;
  const spec = text(settings.groupBy, 'groupBy', name);
  const separator =
    settings.fieldSep === undefined ? undefined : text(settings.fieldSep, 'fieldSep', name);
  const key = at('groupBy', () => parseKeySpec(spec, separator, name('groupBy'), name('fieldSep')));
  if (settings.records !== undefined)
    throw new OptionError(
      'groupBy',
      `${name('groupBy')} and ${name('records')} both say where a block ends: give one of them (a block for each run of one key, as parallel's --group-by with -N1, is ${name('block', '1')})`,
    );
  if (dispatch === 'hash')
    throw new OptionError(
      'groupBy',
      `${name('groupBy')} is not for ${name('dispatch', 'hash')}, which gives all the records of a key to one worker already: use one of them`,
    );
  return key;
}

export function joinFraming(settings: FanSettings, framing: Framing, name: NameOf): Framing {
  // Expressions cut the input only: the workers' output is passed on in whole lines.
  if (settings.join === undefined)
    return framing.kind === 'regexp' ? parseFraming('lines') : framing;
  const join = text(settings.join, 'join', name);
  const outputFraming = at('join', () => parseFraming(join, name('join')));
  if (outputFraming.kind === 'raw') {
    throw new OptionError('join', `${name('join')} raw has no record boundaries to keep whole`);
  }
  return outputFraming;
}

/**
 * The option that gave the workers' output its framing, as the user gave it: `--join start:>`,
 * `--split start:>`, `--recstart >`; the framing's name when a default did.
 */
export function outputFramingSaid(settings: FanSettings, output: Framing, name: NameOf): string {
  if (settings.join !== undefined) return name('join', String(settings.join));
  if (settings.split !== undefined) return name('split', String(settings.split));
  return output.name;
}

/**
 * `--tag` makes every record longer: output of a fixed record size cannot hold it, and one whose
 * records begin with a string would no longer begin with it.
 */
export function tagFits(settings: FanSettings, output: Framing, name: NameOf): boolean {
  // --tag is --tagstring '{%}': the refusals name the one given.
  const option = settings.tagString !== undefined ? 'tagString' : 'tag';
  const tag = option === 'tagString' || flag(settings, 'tag', name);
  if (tag && output.kind === 'started') {
    const what = option === 'tag' ? "the worker's number" : 'its string';
    throw new OptionError(
      option,
      `${name(option)} puts ${what} before every record, and the records of ${output.name} output (${outputFramingSaid(settings, output, name)}) begin with ${JSON.stringify(output.start.toString())}; give ${name('join')} lines (or another framing) for the tagged output`,
    );
  }
  if (tag && output.kind === 'fixed') {
    throw new OptionError(
      option,
      `${name(option)} makes every record longer than the ${output.size} bytes of ${output.name} output; give ${name('join')} lines (or another framing) for the tagged output`,
    );
  }
  return tag;
}

/**
 * --cat, --fifo: each block a file (a named pipe) its worker is given the name of, which makes
 * the workers per-block
 * (a process per block, as parallel's --cat implies --pipe): not with the ways of workers that
 * stay, nor threads, which are given blocks, not files.
 */
export function blockFileOf(settings: FanSettings, name: NameOf): FanOptions['blockFile'] {
  const cat = flag(settings, 'cat', name);
  const fifo = flag(settings, 'fifo', name);
  if (cat && fifo) {
    throw new OptionError(
      'fifo',
      `choose one of ${name('cat')} and ${name('fifo')}: each gives a block by its name its own way`,
    );
  }
  if (!cat && !fifo) return undefined;
  const way = cat ? 'cat' : 'fifo';
  const gives = `${name(way)} gives each block to a fresh process as a ${cat ? 'file' : 'named pipe'}`;
  const staying =
    settings.protocol !== undefined ? 'protocol' : settings.oneToOne ? 'oneToOne' : null;
  if (staying !== null) {
    throw new OptionError(way, `${gives}: it cannot go with ${name(staying)}, whose workers stay`);
  }
  if (flag(settings, 'threads', name)) {
    throw new OptionError(
      way,
      `${gives}: it cannot go with ${name('threads')}, which are given blocks in memory`,
    );
  }
  return way;
}
