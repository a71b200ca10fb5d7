import { quoteName } from '../errors.js';
import { readTableMeta, TableError } from './meta.js';
import { openTable, type Table } from './open.js';

/**
 * The environment variable that names table `name`'s path: `MANIFOLD_TABLE_` and the name upper
 * cased, every character but A-Z and 0-9 as `_` (`user-ids` is `MANIFOLD_TABLE_USER_IDS`).
 */
export function tableEnvName(name: string): string {
  return `MANIFOLD_TABLE_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * Two table names that give one environment variable (`users` twice, or `user-ids` and
 * `user_ids`): the second would silently hide the first from every worker. Returns the message
 * for `name` when an earlier name in `seen` (variable: name, filled here) took its variable.
 */
export function sameTableVariable(seen: Map<string, string>, name: string): string | undefined {
  const variable = tableEnvName(name);
  const first = seen.get(variable);
  if (first === undefined) {
    seen.set(variable, name);
    return undefined;
  }
  return `tables ${quoteName(first)} and ${quoteName(name)} are both ${variable}: rename one`;
}

/** The path of table `name` from the environment, or `undefined` when it is not set. */
export function tablePathFromEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const path = env[tableEnvName(name)];
  return path === undefined || path === '' ? undefined : path;
}

/**
 * Opens table `name` from its path in the environment (`MANIFOLD_TABLE_<NAME>`). In a fan worker
 * (`MANIFOLD_WORKER` i of `MANIFOLD_WORKERS` N) of a table with N shards, it opens shard i-1
 * only: the fan's hash dispatch sends this worker exactly that shard's keys.
 */
export function tableFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): Table {
  const path = tablePathFromEnv(name, env);
  if (path === undefined) {
    throw new TableError(
      `table ${quoteName(name)}: ${tableEnvName(name)} is not set (name the table with --table ${quoteName(name)}=PATH)`,
    );
  }
  try {
    return openTable(path, { shard: workerShard(readTableMeta(path).shards, env) });
  } catch (error) {
    // Said with where its path came from: the user gave a name, not this path.
    if (error instanceof TableError) {
      throw new TableError(
        `${error.message}; the path is ${tableEnvName(name)}'s, for --table ${quoteName(name)}`,
        error,
      );
    }
    throw error;
  }
}

/** The shard this process should open: its worker number, when the fan has one worker per shard. */
function workerShard(shards: number, env: NodeJS.ProcessEnv): number | undefined {
  const worker = Number(env.MANIFOLD_WORKER);
  const workers = Number(env.MANIFOLD_WORKERS);
  if (shards <= 1 || workers !== shards) return undefined;
  if (!Number.isInteger(worker) || worker < 1 || worker > workers) return undefined;
  return worker - 1;
}
