import { mkdtempSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quoteName } from '../../filters/errors.js';
import { type NameOf, OptionError, text } from './checks.js';
import { describeWriteErrno, reasonInWords } from './inputs.js';

/**
 * `--tmpdir <dir>`: where manifold puts its temporary files (--cat's and --fifo's blocks, the
 * sorted merge's spills) instead of $TMPDIR, and the workers' TMPDIR, as GNU parallel's
 * --tmpdir. Checked now, before any worker starts: a folder that is there and can be written.
 * Returns its absolute path (relative to manifold's working folder), which workers elsewhere
 * (a config's folder) find all the same.
 */
export function tmpdirOf(value: unknown, name: NameOf): string {
  const dir = text(value, 'tmpdir', name);
  if (dir === '') throw new OptionError('tmpdir', `${name('tmpdir')} must name a folder`);
  const path = resolve(dir);
  // Quoted as a shell would take it back, as every message quotes a name (`$'a\nb'`).
  const said = quoteName(dir);
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch (error) {
    // A folder missing is `no such directory`, as a report's missing folder is said.
    throw new OptionError(
      'tmpdir',
      `${name('tmpdir')} ${said}: ${describeWriteErrno(error)}`,
      error,
    );
  }
  if (!folder) throw new OptionError('tmpdir', `${name('tmpdir')} ${said} is not a folder`);
  // Written to, not asked (access(2)): root is allowed to write anywhere, /proc too, and finds
  // it cannot only as it does (its first block failed, exit 1).
  try {
    rmdirSync(mkdtempSync(join(path, '.manifold-check-')));
  } catch (error) {
    throw new OptionError(
      'tmpdir',
      `${name('tmpdir')} ${said} cannot be written: ${reasonInWords(error)}`,
      error,
    );
  }
  return path;
}
