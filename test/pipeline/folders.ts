import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { stringify } from 'yaml';

// Temporary folders for configs, removed after each test of the file that imports this.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Runs `cleanup` after the current test (last registered, first run). */
export function onCleanup(cleanup: () => void): void {
  cleanups.push(cleanup);
}

/** A fresh folder (its real path), removed after the test. */
export function tempDir(prefix = 'manifold-pipe-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes a config (YAML text, or an object as YAML) into `dir`; returns its path. */
export function writeConfig(dir: string, config: string | object, name = 'pipeline.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, typeof config === 'string' ? config : stringify(config));
  return file;
}
