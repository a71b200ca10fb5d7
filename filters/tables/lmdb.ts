import { createRequire } from 'node:module';
import type * as Lmdb from 'lmdb';
import { TableError } from './meta.js';

let loaded: typeof Lmdb | undefined;

/**
 * The lmdb package, loaded on first use: it is native code and ~20 ms to load, and a filter that
 * reads no table must start as fast as before. `require` rather than `import()` keeps opening a
 * table synchronous, so `setup` and `ctx.table()` need not be async.
 */
export function loadLmdb(): typeof Lmdb {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('lmdb') as typeof Lmdb;
    } catch (error) {
      throw new TableError(`cannot load the lmdb package: ${(error as Error).message}`, error);
    }
  }
  return loaded;
}
