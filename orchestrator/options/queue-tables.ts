import { UsageError } from '../../filters/index.js';
import { checkTable } from '../../filters/tables/check-files.js';
import { parseTableBindings, type TableBinding } from '../fan/tables.js';

/**
 * A queue coordinator's tables (`--table NAME=PATH`, a config's `tables:`, the library's
 * `table`), checked before anything is connected: each is a table (one line, exit 2 otherwise)
 * of one shard, since a queue's worker takes whatever block comes and so needs every key.
 */
export function resolveQueueTables(
  values: unknown,
  name: (option: string) => string,
): TableBinding[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string'))
    throw new UsageError(`${name('table')} must be a list of NAME=PATH`);
  const tables = parseTableBindings(values, name('table'));
  for (const table of tables) {
    const { shards } = checkTable(table.path);
    if (shards > 1)
      throw new UsageError(
        `table ${table.name} (${table.path}) has ${shards} shards: a queue's workers take any block, so they need the whole table (build it without --shards)`,
      );
  }
  return tables;
}
