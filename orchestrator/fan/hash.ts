// The hash lives with the filters since shared tables (filters/tables) shard by it too: a table
// built with --shards N and a fan with --dispatch hash -j N must agree on every key.
export { hashBytes } from '../../filters/hash.js';
