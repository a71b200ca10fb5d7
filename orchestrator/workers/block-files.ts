import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The blocks' files made and not yet removed: removed too should this process exit first. */
const made = new Set<string>();

/**
 * A new block file's path, in `dir` (--tmpdir; else $TMPDIR, or /tmp): not yet created, its name not guessable
 * (`mf-block-` and 12 random hex digits), created by its user alone (`wx`, 0600).
 */
export function newBlockFile(dir = tmpdir()): string {
  if (made.size === 0) process.once('exit', removeAll);
  const path = join(dir, `mf-block-${randomBytes(6).toString('hex')}`);
  made.add(path);
  return path;
}

/** Removes a block's file, if it is there. */
export function removeBlockFile(path: string): void {
  made.delete(path);
  if (made.size === 0) process.removeListener('exit', removeAll);
  try {
    unlinkSync(path);
  } catch {
    // Never made (it could not be created), or gone already.
  }
}

/** What is left when this process exits (a library caller's process that exits mid-run). */
function removeAll(): void {
  for (const path of made) removeBlockFile(path);
}
