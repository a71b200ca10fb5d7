import { lstatSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { quoteName } from '../errors.js';
import { tableEnvName, tableFromEnv, tablePathFromEnv } from '../tables/env.js';
import { TableError } from '../tables/meta.js';
import { openTable, type Table } from '../tables/open.js';

/** A `--table` argument, read: a name, and the path when the command line gave one. */
export interface TableArgument {
  name: string;
  path: string | undefined;
}

/**
 * Reads a `--table` argument: `NAME=PATH`; a name whose `MANIFOLD_TABLE_<NAME>` is set; or else
 * a path, named by its file name without extension (`data/users.mft` is `users`). A word
 * without `/` that is no file here is refused with a hint: `users` was most likely meant as a
 * name. `option`: how the caller spells it (`table`, the library's).
 */
export function parseTableArgument(
  value: string,
  env: NodeJS.ProcessEnv = process.env,
  option = '--table',
): TableArgument {
  const equals = value.indexOf('=');
  // An empty path was the folder a fan runs in (path.resolve), or `table : no such table`.
  if (equals > 0 && equals === value.length - 1) {
    throw new TableError(
      `${option} ${quoteName(value)}: the path after = is empty; give NAME=PATH`,
    );
  }
  if (equals > 0) return { name: value.slice(0, equals), path: value.slice(equals + 1) };
  if (equals === 0 || value === '') {
    throw new TableError(`${option} ${quoteName(value)}: give NAME=PATH, PATH or NAME`);
  }
  if (tablePathFromEnv(value, env) !== undefined) return { name: value, path: undefined };
  if (!value.includes('/') && nothingAt(value)) {
    // In a fan that gives tables, a word that is none of them is most likely a name mistyped.
    const given = Object.keys(env)
      .filter((variable) => variable.startsWith('MANIFOLD_TABLE_') && env[variable] !== '')
      .sort();
    if (given.length > 0) {
      const are =
        given.length === 1
          ? `${given[0]} is`
          : `${given.slice(0, -1).join(', ')} and ${given.at(-1)} are`;
      throw new TableError(
        `${option} ${quoteName(value)}: no table of that name here (${tableEnvName(value)} is not set; ${are}), and nothing at the path ${quoteName(value)}`,
      );
    }
    throw new TableError(
      `${option} ${quoteName(value)}: nothing at the path ${quoteName(value)} (a value without = is a table's path); to name a table, give NAME=PATH: ${option} ${quoteName(value)}=<the table's folder>`,
    );
  }
  return { name: tableNameOf(value), path: value };
}

/**
 * The name of a table given by its path alone: its file name without the extension
 * (`data/users.mft` is `users`), for `--table PATH` and `manifold table serve PATH` alike.
 */
export function tableNameOf(path: string): string {
  const file = basename(path.replace(/\/+$/, ''));
  const name = basename(file, extname(file));
  return name === '' ? path : name;
}

/**
 * The tables of one filter run, by name: those given with `--table` and those the filter
 * declared, opened by `openAll` before the first record (a missing table fails at start, not
 * mid-stream), any other name opened on first use. Each is opened once per process. Only the
 * arguments are read here: the filter's own usage checks (its `setup`: mf-join's one table) come
 * before a missing table is said.
 */
export class FilterTables {
  readonly names: readonly string[];
  readonly #given = new Map<string, string | undefined>();
  readonly #open = new Map<string, Table>();
  readonly #declared: readonly string[];

  constructor(declared: readonly string[], values: readonly string[]) {
    for (const value of values) {
      const { name, path } = parseTableArgument(value);
      // The second would silently replace the first.
      if (this.#given.has(name))
        throw new TableError(`--table ${quoteName(name)}: given twice (one name, one table)`);
      this.#given.set(name, path);
    }
    this.names = [...this.#given.keys()];
    this.#declared = declared;
  }

  /** Opens every table given or declared that is not open yet. */
  openAll(): void {
    for (const name of new Set([...this.names, ...this.#declared])) this.get(name);
  }

  /** Table `name`: from its `--table NAME=PATH`, else from `MANIFOLD_TABLE_<NAME>`. */
  get(name: string): Table {
    let table = this.#open.get(name);
    if (table !== undefined) return table;
    const path = this.#given.get(name);
    if (path !== undefined) {
      table = openTable(path);
    } else if (this.#given.has(name) || tablePathFromEnv(name) !== undefined) {
      table = tableFromEnv(name);
    } else {
      throw new TableError(
        `table ${quoteName(name)} was not given: name it with --table ${quoteName(name)}=PATH (or set ${tableEnvName(name)})`,
      );
    }
    this.#open.set(name, table);
    return table;
  }
}

/**
 * Whether nothing at all is at `path`: a link, even one that leads nowhere or to itself, is
 * something (its table's reader says what is wrong with it), where `existsSync` says false.
 */
function nothingAt(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
