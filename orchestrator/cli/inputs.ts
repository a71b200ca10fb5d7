import { statSync } from 'node:fs';
import { UsageError } from '../../filters/index.js';

/**
 * Checks the input before anything starts: each --input file exists and is a file (their sizes
 * are returned, for the ETA), or stdin is not a terminal.
 */
export function checkInputs(inputs: string[] | null): number[] {
  if (inputs === null) {
    if (process.stdin.isTTY) {
      throw new UsageError(
        'stdin is a terminal: pipe data in (… | manifold fan …) or name files with --input',
      );
    }
    return [];
  }
  return inputs.map((name) => {
    try {
      const stat = statSync(name);
      if (!stat.isFile()) throw new UsageError(`--input ${name}: not a file`);
      return stat.size;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(
        `--input ${name}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`,
      );
    }
  });
}
