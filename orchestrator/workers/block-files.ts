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
  const path = join(dir, `mf-block-${randomHex(6)}`);
  made.add(path);
  return path;
}

/**
 * `bytes` random bytes in hex, from Web Crypto's global: Node loads its crypto modules on the
 * first use of it, where importing node:crypto loaded them as every fan started (~4 ms of CPU).
 */
function randomHex(bytes: number): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
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
