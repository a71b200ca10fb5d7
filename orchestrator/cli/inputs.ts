import { isatty } from 'node:tty';
import { UsageError } from '../../filters/index.js';
import { checkInputFiles } from '../options/inputs.js';

/**
 * Checks the input before anything starts: each --input file can be read, or stdin is not a
 * terminal. Returns each input's size, for the ETA: null for a pipe or a device (`<(cmd)`,
 * `/dev/stdin`), which is read as a stream, as stdin is.
 */
export function checkInputs(inputs: string[] | null): (number | null)[] {
  if (inputs === null) {
    if (isatty(0)) {
      throw new UsageError(
        'stdin is a terminal: pipe data in (… | manifold fan …) or name files with --input',
      );
    }
    return [];
  }
  // stdin among files (`-`): a terminal is refused as without --input; no size for the ETA.
  if (inputs.includes('-')) checkInputs(null);
  const files = inputs.filter((name) => name !== '-');
  const sizes = checkInputFiles(files, '--input');
  return inputs.map((name) => (name === '-' ? null : sizes[files.indexOf(name)]!));
}

/**
 * The --input files as given, with `-` for stdin, as `cat a -` reads it: `-` alone is stdin
 * (null, read as when no --input is given); among files it is read in its place. Named twice it
 * would be read twice, the second time empty: a usage error.
 */
export function stdinAsInput(inputs: string[] | null): string[] | null {
  if (inputs === null) return null;
  const dashes = inputs.filter((name) => name === '-').length;
  if (dashes === 0) return inputs;
  if (dashes > 1) {
    throw new UsageError('--input - is given more than once: stdin can be read only once');
  }
  return inputs.length === 1 ? null : inputs;
}
