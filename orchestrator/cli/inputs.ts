import { isatty } from 'node:tty';
import { UsageError } from '../../filters/index.js';
import { checkInputFiles } from '../options/inputs.js';

export { checkStatsTarget } from '../options/inputs.js';

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
  return checkInputFiles(inputs, '--input');
}
