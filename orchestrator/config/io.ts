import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import fg from 'fast-glob';
import { namedDescriptorProblem } from '../options/descriptors.js';

type Report = (path: (string | number)[], message: string) => void;

/**
 * Whether the files a config names must be there: 'checked' to run or check it, 'named' to
 * draw it (`manifold graph`), where a glob that matches nothing stands as itself; 'caller'
 * as 'checked', for the library, whose caller's descriptors (`/dev/fd/N`) are all its own
 * to name, where the command line's must be ones its shell gave (`descriptorProblem`).
 */
export type FileChecks = 'checked' | 'caller' | 'named';

/**
 * A config's `input`: null for stdin; else its files in order, relative to `folder`, each glob
 * expanded and sorted. A file that does not exist or is a folder, or a glob that matches none,
 * is reported unless the files are only `named`.
 */
export function resolveInputs(
  input: string | string[] | undefined,
  folder: string,
  report: Report,
  files: FileChecks = 'checked',
): string[] | null {
  const checked = files !== 'named';
  if (input === undefined || input === '-' || input === 'stdin') return null;
  const patterns = typeof input === 'string' ? [input] : input;
  const paths: string[] = [];
  patterns.forEach((pattern, i) => {
    const path = typeof input === 'string' ? ['input'] : ['input', i];
    if (fg.isDynamicPattern(pattern)) {
      const found = fg.sync(pattern, { cwd: folder, absolute: true, onlyFiles: true }).sort();
      if (found.length === 0 && checked) report(path, `no file matches "${pattern}"`);
      paths.push(...(found.length > 0 || checked ? found : [resolve(folder, pattern)]));
    } else {
      const file = resolve(folder, pattern);
      // `/dev/fd/N`: said as the run would say it, here at its place and before anything runs
      // (a problem of the config, exit 2), not as a file that does not exist when not open.
      const unusable = checked ? namedDescriptorProblem(file, 'read', files === 'checked') : null;
      if (unusable !== null) report(path, unusable);
      else if (checked && !existsSync(file))
        report(path, `input file ${JSON.stringify(pattern)} does not exist`);
      // A folder would be found only by the run's `cat`, on two lines (its and the stage's).
      else if (checked && statSync(file).isDirectory())
        report(path, `input "${pattern}" is a directory`);
      paths.push(file);
    }
  });
  return paths;
}

/** How a message names a config's input file (a path resolved), as `manifold fan`'s `--input f`. */
export const configInputName = (path: string) => `input ${JSON.stringify(path)}`;

/** A config's `output`: null for stdout; else the file, whose folder must exist (if `checked`). */
export function resolveOutput(
  output: string | undefined,
  folder: string,
  report: Report,
  files: FileChecks = 'checked',
): string | null {
  if (output === undefined || output === '-' || output === 'stdout') return null;
  const file = resolve(folder, output);
  if (files === 'named') return file;
  const unusable = namedDescriptorProblem(file, 'write', files === 'checked');
  if (unusable !== null) report(['output'], unusable);
  else checkFileToWrite(file, `output "${output}"`, (m) => report(['output'], m));
  return file;
}

/** A file to be written (`what` names it): its folder must exist, and it be no folder. */
export function checkFileToWrite(file: string, what: string, report: (message: string) => void) {
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory()) {
    report(`the folder of ${what} does not exist`);
  } else if (existsSync(file) && statSync(file).isDirectory()) {
    report(`${what} is a directory`);
  }
}

/**
 * The folder a config's relative paths are in: its file's, or the current folder for a config
 * that is no file in a folder: stdin (`-`), a pipe by its name (`<(make-config)`: /dev/fd/63,
 * whose folder is /dev/fd, where commands ran and outputs were written).
 */
export function configFolder(file: string): string {
  const path = resolve(file);
  try {
    if (!statSync(path).isFile()) return process.cwd();
  } catch {
    // Not there (stdin's name): the current folder's.
    return process.cwd();
  }
  return dirname(path);
}
