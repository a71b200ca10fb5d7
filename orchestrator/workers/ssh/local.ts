import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * This package's manifold, run by this Node: what `:` (this machine) runs as its worker, with no
 * SSH. Found from this module's place: the package's folder holds `dist/bundle/bin/manifold.js`.
 */
export function localManifold(): string[] {
  for (let url = new URL('.', import.meta.url); ; url = new URL('..', url)) {
    const bin = new URL('dist/bundle/bin/manifold.js', url);
    if (isPackage(url) && existsSync(bin)) return [process.execPath, fileURLToPath(bin)];
    if (url.pathname === '/') return [process.execPath, process.argv[1]!];
  }
}

function isPackage(url: URL): boolean {
  try {
    return JSON.parse(readFileSync(new URL('package.json', url), 'utf8')).name === 'manifold-pipes';
  } catch {
    return false;
  }
}
