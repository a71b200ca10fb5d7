import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifold, type Result, run } from '../helpers.js';

/** Writes `content` to `name` in `dir` and returns its path. */
export function writeInput(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A table keyed by the first field of TAB-separated lines: the build options most tests use. */
export const TSV_BY_FIELD_1 = ['--key', 'field:1', '--field-sep', 'tab'];

/** Runs `manifold table build` with these arguments; never rejects. */
export function buildTable(args: string[], input: string | Uint8Array = ''): Promise<Result> {
  return run(manifold, ['table', 'build', ...args], input);
}

/** Builds a table, expecting success; returns its path. */
export async function builtTable(
  dir: string,
  name: string,
  content: string | Uint8Array,
  args: string[],
): Promise<string> {
  const input = writeInput(dir, `${name}.in`, content);
  const table = join(dir, `${name}.mft`);
  const result = await buildTable([input, '-o', table, ...args]);
  if (result.exitCode !== 0 || !/^manifold: built /.test(result.stderr)) {
    throw new Error(`table build ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  }
  return table;
}

/** `manifold table get <table> <keys...>`; never rejects. */
export function getKeys(table: string, keys: string[], args: string[] = []): Promise<Result> {
  return run(manifold, ['table', 'get', ...args, table, ...keys]);
}
