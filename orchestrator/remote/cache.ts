import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a host keeps shipped files, by content hash: `$XDG_CACHE_HOME/manifold/files`. */
export function cacheFolder(): string {
  const base = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache');
  return join(base, 'manifold', 'files');
}

/** Where an item lives in a cache folder, once whole: `<cache>/<hash>/data`. */
export const itemPath = (root: string, hash: string) => join(root, hash, 'data');

/** What `manifold worker --probe` says first: its version and its cache folder. */
export function probeLine(version: string): string {
  return `manifold-worker ${version} ${cacheFolder()}`;
}
