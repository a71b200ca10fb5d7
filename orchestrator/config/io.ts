import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import fg from 'fast-glob';

type Report = (path: (string | number)[], message: string) => void;

/**
 * A config's `input`: null for stdin; else its files in order, relative to `folder`, each glob
 * expanded and sorted. A file that does not exist, or a glob that matches none, is reported.
 */
export function resolveInputs(
  input: string | string[] | undefined,
  folder: string,
  report: Report,
): string[] | null {
  if (input === undefined || input === '-' || input === 'stdin') return null;
  const patterns = typeof input === 'string' ? [input] : input;
  const files: string[] = [];
  patterns.forEach((pattern, i) => {
    const path = typeof input === 'string' ? ['input'] : ['input', i];
    if (fg.isDynamicPattern(pattern)) {
      const found = fg.sync(pattern, { cwd: folder, absolute: true, onlyFiles: true }).sort();
      if (found.length === 0) report(path, `no file matches "${pattern}"`);
      files.push(...found);
    } else {
      const file = resolve(folder, pattern);
      if (!existsSync(file)) report(path, `input file "${pattern}" does not exist`);
      files.push(file);
    }
  });
  return files;
}

/** A config's `output`: null for stdout; else the file, whose folder must exist. */
export function resolveOutput(
  output: string | undefined,
  folder: string,
  report: Report,
): string | null {
  if (output === undefined || output === '-' || output === 'stdout') return null;
  const file = resolve(folder, output);
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory()) {
    report(['output'], `the folder of output "${output}" does not exist`);
  } else if (existsSync(file) && statSync(file).isDirectory()) {
    report(['output'], `output "${output}" is a directory`);
  }
  return file;
}
