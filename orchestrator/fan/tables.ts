import { resolve } from 'node:path';
import { UsageError } from '../../filters/index.js';
import { parseTableArgument } from '../../filters/sdk/tables.js';
import { checkTable } from '../../filters/tables/check-files.js';
import { sameTableVariable, tableEnvName } from '../../filters/tables/env.js';
import type { DispatchStrategy } from './options.js';

/** A table handed to workers: its name, and its path made absolute. */
export interface TableBinding {
  name: string;
  path: string;
}

/** Reads `--table NAME=PATH` (or `--table PATH`, named by its file name) values. */
export function parseTableBindings(values: readonly string[], option = '--table'): TableBinding[] {
  return values.map((value) => {
    const { name, path } = parseTableArgument(value, {}, option);
    if (path === undefined) throw new UsageError(`${option} ${value}: give NAME=PATH`);
    return { name, path: resolve(path) };
  });
}

/**
 * Checks each table before any worker starts: it is a table (one line, exit 2 otherwise), and a
 * sharded one has one shard per worker and the hash dispatch that sends each worker the keys
 * of its shard. Returns the environment that names the tables to every worker.
 */
export function tableEnvironment(
  tables: readonly TableBinding[],
  fan: { workers: number; dispatch: DispatchStrategy; name?: (option: 'dispatch') => string },
): Record<string, string> {
  const dispatch = fan.name?.('dispatch') ?? '--dispatch';
  const env: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const { name, path } of tables) {
    const same = sameTableVariable(seen, name);
    if (same !== undefined) throw new UsageError(same);
    const meta = checkTable(path);
    if (meta.shards > 1 && (fan.workers !== meta.shards || fan.dispatch !== 'hash')) {
      throw new UsageError(
        `table ${name} (${path}) has ${meta.shards} shards: a fan that reads it needs ${meta.shards} workers and ${dispatch} hash, keyed on the same key bytes as the table (${meta.key}), one shard per worker`,
      );
    }
    env[tableEnvName(name)] = path;
  }
  return env;
}
