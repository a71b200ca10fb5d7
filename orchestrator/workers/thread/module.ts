import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, ManifoldError, UsageError } from '../../../filters/index.js';
import type { CommandSpec } from '../command.js';
import { findProgram } from '../which.js';

/** The filter a thread runs: its module's file, and the arguments its `.main()` sees. */
export interface ThreadModule {
  file: string;
  args: string[];
  /** CommonJS for certain (`.cjs`, or its package says so): the thread `require`s it. */
  commonjs: boolean;
}

const WHAT = 'an SDK filter: a JavaScript module that calls defineFilter(...).main()';

/**
 * The module a thread worker runs for `command`: a package binary by name (`mf-map`, from this
 * package's `bin`, wherever PATH points), a path, a program found on PATH, or `node <module>`.
 * Throws a one-line error, before anything runs: `manifold.notFound` (127) for a module that
 * is not there, a UsageError (2) for a command that cannot be one (a shell line, a binary, a
 * shell script).
 */
export function resolveThreadModule(
  command: CommandSpec,
  name: (option: 'threads' | 'shell') => string = (option) => `--${option}`,
): ThreadModule {
  const threads = name('threads');
  if (command.shell) {
    throw new UsageError(
      `${threads} runs ${WHAT} in a thread, not a shell command line (${name('shell')}): give the module and its arguments`,
    );
  }
  let [program, ...args] = command.argv as [string, ...string[]];
  if (isNode(program)) {
    const [module, ...rest] = args;
    if (module === undefined || module.startsWith('-')) {
      throw new UsageError(
        `${threads} runs ${WHAT}: give node the module's path first (node options cannot apply to a thread)`,
      );
    }
    program = module.includes('/') ? module : `./${module}`;
    args = rest;
  }
  const file = locate(program, threads);
  checkModule(program, file, threads);
  return { file, args, commonjs: isCommonJs(file) };
}

/**
 * Whether Node loads `file` as CommonJS whatever its text: a `.cjs` file, or a `.js` or
 * extensionless one whose nearest package.json says `"type": "commonjs"` (this package's
 * binaries: build.mjs). A thread `require`s such a module, which spares it loading Node's ES
 * module loader (~50 ms of CPU in a thread: docs/performance.md); any other goes to `import()`.
 */
function isCommonJs(file: string): boolean {
  const extension = extname(file);
  if (extension === '.cjs') return true;
  if (extension !== '.js' && extension !== '') return false;
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'commonjs'
        );
      } catch {
        return false;
      }
    }
    if (dirname(folder) === folder) return false;
  }
}

/** The file `program` names: our own binary, a path, or the first match on PATH. */
function locate(program: string, threads: string): string {
  if (!program.includes('/')) {
    const own = packageBinaries().get(program);
    if (own !== undefined && program === 'manifold') {
      throw new UsageError(`${threads} runs ${WHAT}: manifold itself is not one`);
    }
    if (own !== undefined) return own;
  }
  const path = program.includes('/') ? resolve(program) : null;
  if (path !== null) {
    if (!existsSync(path)) throw notFound(program, 'no such file');
    return realpathSync(path);
  }
  const found = findProgram(program);
  if ('problem' in found) throw notFound(program, found.problem);
  return realpathSync(found.found);
}

/** Refuses a file that cannot be a JavaScript module: a binary, a shell script, a folder. */
function checkModule(program: string, file: string, threads: string): void {
  const extension = extname(file);
  if (['.js', '.mjs', '.cjs'].includes(extension)) return;
  if (/^#!.*\bnode\b/.test(firstLine(file))) return;
  throw new UsageError(
    `${threads} runs ${WHAT}; ${program} (${file}) is not a JavaScript module: run it without ${threads}`,
  );
}

function firstLine(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('latin1').split('\n')[0]!;
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/** Whether `program` is Node, which a thread's module is not run by. */
export function isNode(program: string): boolean {
  return program === 'node' || program === process.execPath || basename(program) === 'node';
}

function notFound(program: string, problem: string): ManifoldError {
  return new ManifoldError('manifold.notFound', `${program}: ${problem}`, {
    exitCode: ExitCode.notFound,
  });
}

let binaries: Map<string, string> | undefined;

/**
 * This package's binaries by name, each to its module file, from the `bin` of the nearest package.json above this file that has one: the same from the
 * bundle, from tsc's output or from an installed copy.
 */
function packageBinaries(): Map<string, string> {
  if (binaries !== undefined) return binaries;
  binaries = new Map();
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest)) {
      const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: unknown }).bin;
      if (typeof bin === 'object' && bin !== null) {
        for (const [name, target] of Object.entries(bin as Record<string, string>)) {
          binaries.set(name, join(folder, target));
        }
        return binaries;
      }
    }
    const parent = dirname(folder);
    if (parent === folder) return binaries;
    folder = parent;
  }
}
