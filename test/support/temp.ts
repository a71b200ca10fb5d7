import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { onCleanup } from './cleanup.js';

/** A fresh folder (its real path) that lives until `remove` is called. */
export function makeDir(prefix = 'manifold-test-'): { dir: string; remove: () => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh folder (its real path), removed after the current test. */
export function tempDir(prefix = 'manifold-test-'): string {
  const { dir, remove } = makeDir(prefix);
  onCleanup(remove);
  return dir;
}

// Under describe.concurrent, an afterEach runs when any one test ends, while others still
// use their folders: folders for such files live until the file's last test is done.
const fileDirs: (() => void)[] = [];
afterAll(() => {
  for (const remove of fileDirs.splice(0)) remove();
});

/** A fresh folder (its real path), removed after the file's last test: for concurrent tests. */
export function fileTempDir(prefix = 'manifold-test-'): string {
  const { dir, remove } = makeDir(prefix);
  fileDirs.push(remove);
  return dir;
}

/** `content` in a file (`name`) of a fresh folder removed after the file's last test. */
export function fileWith(prefix: string, content: string | Buffer, name = 'input'): string {
  const file = join(fileTempDir(prefix), name);
  writeFileSync(file, content);
  return file;
}

const require = createRequire(import.meta.url);

/** Writes a config (YAML text, or an object as YAML) into `dir`; returns its path. */
export function writeConfig(dir: string, config: string | object, name = 'pipeline.yaml'): string {
  const file = join(dir, name);
  // yaml is loaded where a config is given as an object, not by every test file that loads this
  // module: loading it costs a test's process ~70 ms of CPU.
  const text =
    typeof config === 'string'
      ? config
      : (require('yaml') as typeof import('yaml')).stringify(config);
  writeFileSync(file, text);
  return file;
}
