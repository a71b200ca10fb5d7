import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * This build's manifold, run by this Node: what `:` (this machine) runs as its worker, with no
 * SSH. Found from this module's place, whether bundled (`dist/bundle/...`) or not (`dist/...`).
 */
export function localManifold(): string[] {
  for (let url = new URL('.', import.meta.url); ; url = new URL('..', url)) {
    const bundled = new URL('bundle/bin/manifold.js', url);
    if (url.pathname.endsWith('/dist/') && existsSync(bundled)) {
      return [process.execPath, fileURLToPath(bundled)];
    }
    const beside = new URL('bin/manifold.js', url);
    if (url.pathname.endsWith('/bundle/') && existsSync(beside)) {
      return [process.execPath, fileURLToPath(beside)];
    }
    if (url.pathname === '/') return [process.execPath, process.argv[1]!];
  }
}
