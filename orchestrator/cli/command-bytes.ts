import { UsageError } from '../../filters/index.js';
import { holdsBytes, showWord } from '../../filters/sdk/raw-arguments.js';
import type { CommandSpec } from '../workers/command.js';
import { bytesRefused } from '../workers/process/spawn.js';
import { noStarter } from '../workers/process/spawner-launch.js';

/**
 * A word of the workers' command with bytes that are not UTF-8 reaches a process as given, by
 * the process starter (raw-arguments.ts); refused, as a usage error, where nothing would: a
 * thread's arguments are strings, and Node's spawn, starting the workers `here` without a
 * starter, sends UTF-8 only: `here` is whether any worker runs on this machine (no hosts, or
 * `:` among them, whose `manifold worker` is this machine's). A host's starts its own with its own.
 */
export function refuseCommandBytes(command: CommandSpec, kind: unknown, here: boolean): void {
  const word = command.argv.find(holdsBytes);
  if (word === undefined) return;
  if (kind === 'thread') {
    throw new UsageError(
      `--threads: the word ${showWord(word)} is not UTF-8, and a thread is given its command's ` +
        'words as JavaScript strings, which would change it; give it in UTF-8, or run processes',
    );
  }
  const why = here ? noStarter() : null;
  if (why !== null) throw new UsageError(`the workers' command: ${bytesRefused(command, why)}`);
}
