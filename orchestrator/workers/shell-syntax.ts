import { spawnSync } from 'node:child_process';
import { oneLine } from '../../filters/errors.js';

const parsed = new Map<string, string | null>();

/**
 * What /bin/sh says of a command line it cannot parse (`line 1: Syntax error: end of file
 * unexpected`), or null: `sh -n` reads it without running anything. `cat |` was taken, then
 * each worker running it failed, exit 1, with the shell's line and no place. Once per distinct
 * line (a pipeline used twice is one). Shared by a config's check and the command lines.
 */
export function shellSyntaxProblem(script: string): string | null {
  // A NUL is a problem of its own (config/check.ts); no argument can hold one.
  if (script.includes('\0')) return null;
  let said = parsed.get(script);
  if (said === undefined) {
    const result = spawnSync('/bin/sh', ['-n', '-c', script], { encoding: 'utf8' });
    const why = oneLine(result.stderr ?? '')
      .trim()
      .replace(/^[^:]*sh: (?:-c: )?/, '')
      .replace(/^(?:line )?(\d+): /, 'line $1: ');
    said =
      result.status === 0 || result.error !== undefined
        ? null
        : why || `sh -n exited ${result.status}`;
    parsed.set(script, said);
  }
  return said;
}
