import { spawnSync } from 'node:child_process';
import { getPriority } from 'node:os';
import { type NameOf, OptionError, show } from './checks.js';

// --nice: the niceness worker processes run at, as GNU parallel's --nice (its setpriority in
// each job). Here each command runs under nice(1) (workers/command.ts `argvToRun`), the one way
// the Python and Perl starters and Node's own spawn all take alike.

/**
 * `--nice n`: a whole number from -20 to 19, the niceness each worker process starts at. Below
 * manifold's own niceness it needs privilege (root, or CAP_SYS_NICE): refused now when this
 * process has none, where GNU parallel runs the jobs at its own niceness without a word.
 */
export function parseNice(value: unknown, name: NameOf): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!(Number.isInteger(n) && n >= -20 && n <= 19)) {
    throw new OptionError(
      'nice',
      `${name('nice')} must be a niceness, a whole number from -20 (first) to 19 (last) (got ${show(value)})`,
    );
  }
  const own = getPriority();
  if (n < own) {
    const tried = spawnSync('nice', ['-n', String(n - own), 'true'], { encoding: 'utf8' });
    if (tried.error !== undefined || tried.status !== 0 || tried.stderr !== '') {
      throw new OptionError(
        'nice',
        `${name('nice')} ${n} is below manifold's own niceness (${own}), which needs privilege (root, or CAP_SYS_NICE) that this process has not: nice said ${show((tried.stderr || String(tried.error)).trim())}`,
      );
    }
  }
  return n;
}
