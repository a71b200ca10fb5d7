import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describeError } from '../../filters/index.js';
import { parseOkStatus } from '../options/jobs.js';
import type { CommandSpec } from '../workers/command.js';
import { shellSyntaxProblem } from '../workers/shell-syntax.js';
import { missingPrograms, shellQuote, toCommand } from './commands.js';
import { findPlaceholders } from './placeholders.js';
import { type Env, type Path, type RawWorker, stringsOf } from './raw.js';
import schema from './schema.json' with { type: 'json' };

// The commands of a config checked (check.ts): a stage's run or filter, a fan's worker, the
// join of branches. Each problem is reported at its path; the result is what runs, or null.

/** What the checks of commands need of the checker: the config's folder, where to report. */
export interface CommandChecking {
  folder: string;
  problem(path: Path, message: string): void;
}

/**
 * The `ok-status` of a run: stage or of a join, the exit statuses of its command that are no
 * failure: undefined without one, null when it is a problem (said at it).
 */
export function checkOkStatus(
  at: CommandChecking,
  raw: { 'ok-status'?: unknown },
  path: Path,
): readonly number[] | undefined | null {
  const given = raw['ok-status'];
  if (given === undefined) return undefined;
  try {
    return parseOkStatus(given, () => 'ok-status');
  } catch (error) {
    at.problem([...path, 'ok-status'], describeError(error));
    return null;
  }
}

/**
 * A run or filter command; `onPath` false leaves out looking for its program here (a command
 * that runs only on hosts).
 */
export function checkCommand(
  at: CommandChecking,
  raw: { run?: string | string[]; filter?: string; args?: string[]; threads?: boolean },
  path: Path,
  env: Env,
  onPath = true,
): CommandSpec | null {
  let command: CommandSpec;
  if (raw.filter !== undefined) {
    const module = resolve(at.folder, raw.filter);
    const problem = moduleProblem(module);
    if (problem !== null) {
      at.problem([...path, 'filter'], `filter module "${raw.filter}" ${problem}`);
      return null;
    }
    command = { argv: [process.execPath, module, ...(raw.args ?? [])], shell: false, env };
  } else {
    const empty = emptyCommand(raw.run!);
    if (empty !== null) {
      at.problem([...path, 'run'], empty);
      return null;
    }
    // The shell that will read it is this machine's, unless the command runs on hosts only.
    const syntax = typeof raw.run === 'string' && onPath ? shellSyntaxProblem(raw.run) : null;
    if (syntax !== null) {
      at.problem([...path, 'run'], `/bin/sh cannot parse this command line: ${syntax}`);
      return null;
    }
    command = toCommand(raw.run!, env);
    // A thread's module is found with the fan's options (package binaries by name); a
    // command that runs only on hosts is looked for there, as each host starts.
    if (raw.threads !== true && onPath) {
      for (const missing of missingPrograms(command, at.folder))
        at.problem([...path, 'run'], missing);
    }
  }
  return command;
}

/**
 * What keeps node from running a filter's module, or null. A folder node runs by its index.js
 * or its package.json's "main"; one without was Node's own error and stack trace from every
 * process of the run, exit 1 (`Cannot find module '.../adir'`).
 */
function moduleProblem(module: string): string | null {
  let folder: boolean;
  try {
    folder = statSync(module).isDirectory();
  } catch {
    return 'does not exist';
  }
  if (!folder) return null;
  try {
    createRequire(import.meta.url).resolve(module);
    return null;
  } catch {
    return 'is a directory, with no index.js or package.json "main" for node to run';
  }
}

/** What is wrong with a command that runs nothing: `/bin/sh -c '  '` exits 0, unread input. */
function emptyCommand(run: string | string[]): string | null {
  if (typeof run === 'string')
    return run.trim() === '' ? 'a command line of blanks runs nothing' : null;
  return run[0] === '' ? "the program (the array's first word) is empty" : null;
}

/** A fan's worker: a command, or a sub-pipeline of commands. */
export function checkWorker(
  at: CommandChecking,
  raw: RawWorker,
  path: Path,
  env: Env,
  onPath: boolean,
): CommandSpec | null {
  if (typeof raw === 'string' || Array.isArray(raw)) {
    return (
      checkCommand(at, { run: raw }, path.slice(0, -1).concat(['worker']), env, onPath) &&
      toCommand(raw, env)
    );
  }
  const kinds = (['run', 'filter', 'stages'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    at.problem(path, 'a worker has one of run, filter or stages');
    return null;
  }
  const workerEnv = { ...env, ...stringsOf(raw.env) };
  argsWithFilter(at, raw, path);
  if (raw.stages === undefined) return checkCommand(at, raw, path, workerEnv, onPath);
  // A sub-pipeline of commands becomes one shell pipeline per worker.
  const parts: string[] = [];
  raw.stages.forEach((stage, i) => {
    const where = [...path, 'stages', i];
    if (stage.run === undefined && stage.filter === undefined) {
      at.problem(where, 'a worker pipeline holds commands (run or filter) only');
      return;
    }
    argsWithFilter(at, stage, where);
    const own = stringsOf(stage.env);
    const command = checkCommand(at, stage, where, { ...workerEnv, ...own }, onPath);
    if (command) parts.push(pipelinePart(command, own));
  });
  return { argv: [parts.join(' | ')], shell: true, env: workerEnv };
}

/** `args` are a filter's: with `run`, they would be dropped, unsaid. */
function argsWithFilter(
  at: CommandChecking,
  raw: { args?: unknown; filter?: unknown },
  path: Path,
) {
  if (raw.args !== undefined && raw.filter === undefined)
    at.problem([...path, 'args'], '"args" goes with "filter"');
}

/** A worker pipeline's command as a part of its shell line, under its own `env` (by env(1)). */
function pipelinePart(command: CommandSpec, own: Env): string {
  if (Object.keys(own).length === 0)
    return command.shell ? `{ ${command.argv[0]}\n}` : shellQuote(command.argv);
  const words = command.shell ? ['/bin/sh', '-c', command.argv[0]!] : command.argv;
  const assignments = Object.entries(own).map(([name, value]) => `${name}=${value}`);
  return shellQuote(['env', '--', ...assignments, ...words]);
}

/** A branch's name, as the schema has it (read there, one source): what `{name}` can spell. */
const BRANCH_NAME = new RegExp(schema.definitions.stage.properties.branches.propertyNames.pattern);

/** The join of branches: each branch's placeholder used, and no other. */
export function checkJoin(
  at: CommandChecking,
  raw: string | string[],
  path: Path,
  branches: string[],
  env: Env,
): CommandSpec | null {
  // As the run substitutes them: in a shell string, not within single quotes.
  const found =
    typeof raw === 'string'
      ? findPlaceholders(raw, true)
      : raw.flatMap((word) => findPlaceholders(word, false));
  const used = found.map((placeholder) => placeholder.name);
  for (const [i, name] of used.entries()) {
    if (!branches.includes(name))
      at.problem(path, `placeholder {${name}} names no branch (branches: ${branches.join(', ')})`);
    // Each is one pipe: two opens of it share its bytes between two readers, as they come.
    else if (used.indexOf(name) < i && used.indexOf(name, used.indexOf(name) + 1) === i)
      at.problem(
        path,
        `placeholder {${name}} is there twice: a branch's output is one stream, read once; give each reader a branch of its own`,
      );
  }
  for (const name of branches) {
    // A name no placeholder can spell (`a b`) is a problem of its own, where it stands.
    if (!used.includes(name) && BRANCH_NAME.test(name))
      at.problem(
        path,
        `branch "${name}" is not used by the join: write {${name}} where its output goes`,
      );
  }
  const command = toCommand(raw, env);
  const probe = command.shell
    ? command
    : { ...command, argv: command.argv.map((a) => a.replace(/\{[A-Za-z0-9_]+\}/g, '/dev/null')) };
  for (const missing of missingPrograms(probe, at.folder)) at.problem(path, missing);
  return command;
}
