import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

// Cleanups run after each test of the file that imports this, last registered first, whatever
// the test's outcome.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => void): void {
  cleanups.push(cleanup);
}

/** A fresh folder (its real path) that lives until `remove` is called. */
export function makeDir(prefix = 'manifold-test-'): { dir: string; remove: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh folder (its real path), removed after the current test. */
export function tempDir(prefix = 'manifold-test-'): string {
  const { dir, remove } = makeDir(prefix);
  cleanups.push(remove);
  return dir;
}
