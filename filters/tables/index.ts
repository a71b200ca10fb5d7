/** Shared tables: LMDB files every worker maps, read-only (docs/tables.md). */
export { tableEnvName, tableFromEnv, tablePathFromEnv } from './env.js';
export {
  type DuplicatesPolicy,
  META_FILE,
  readTableMeta,
  shardFile,
  TABLE_FORMAT,
  TABLE_VERSION,
  TableError,
  type TableMeta,
} from './meta.js';
export { type OpenTableOptions, openTable, splitList, type Table, type TableKey } from './open.js';
