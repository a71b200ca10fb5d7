import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a host keeps shipped files, by content hash: `$XDG_CACHE_HOME/manifold/files`. */
export function cacheFolder(): string {
  const base = process.env.XDG_CACHE_HOME || join(process.env.HOME || homedir(), '.cache');
  return join(base, 'manifold', 'files');
}

/** What `manifold worker --probe` says first: its version and its cache folder. */
export function probeLine(version: string): string {
  return `manifold-worker ${version} ${cacheFolder()}`;
}
