import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { argvToRun, type CommandSpec, commandText } from '../workers/command.js';
import { describeStartError, isOutOfResources } from '../workers/limits.js';
import { selectsNothing } from '../workers/nothing-found.js';
import { signalGroup } from '../workers/process/spawn.js';
import type { NodeEnd, RunningNode } from './node.js';
import { OwnFiles } from './own-file.js';
import { isReaderGone } from './stderr-gone.js';

/** The end of a stage whose command could not start, and why; `halts`: the run stops. */
function notStarted(exitCode: number, why: string, halts: boolean): NodeEnd {
  return {
    exitCode,
    signal: null,
    closedOutput: false,
    error: `cannot start: ${why}`,
    halts,
    endedAt: Date.now(),
  };
}

/**
 * An external command of a pipeline, its stdin and stdout the kernel pipes (or files) given as
 * file descriptors: the orchestrator reads none of its bytes. It leads its own process group,
 * so stopping it stops what it started. (Node's own spawn: execa takes only the parent's
 * standard descriptors as stdio, not any descriptor.)
 */
export class ProcessNode implements RunningNode {
  readonly label: string;
  readonly description: string;
  readonly pids: number[] = [];
  readonly ended: Promise<NodeEnd>;
  readonly #command: CommandSpec;
  /** Whether its stage has an `ok-status` (the hint then says no more than the status). */
  readonly #okStatusGiven: boolean;
  #pid = -1;

  constructor(
    label: string,
    command: CommandSpec,
    cwd: string,
    stdio: (number | 'ignore')[],
    description = commandText(command),
    stderr: number | 'inherit' = 'inherit',
    okStatus: readonly number[] = [0],
  ) {
    this.label = label;
    this.description = description;
    this.#command = command;
    this.#okStatusGiven = okStatus.length > 1;
    const [file, ...args] = argvToRun(command);
    // Its stderr the very pipe its stdout is (`2>&1` around manifold, the last stage): that
    // reader's going explains a SIGPIPE whichever it was killed writing.
    const oneReader = samePipe(stdio[1]!, stderr === 'inherit' ? 2 : stderr);
    this.ended = new Promise<NodeEnd>((resolve) => {
      const own = new OwnFiles();
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(file!, args, {
          stdio: [stdio[0]!, own.of(stdio[1]!, 1), own.of(stderr, 2), ...stdio.slice(3)],
          cwd,
          env: { ...process.env, ...command.env },
          detached: true,
        });
      } catch (error) {
        // Node throws, where it does not say it by 'error' (E2BIG): as bash, status 126.
        own.close();
        resolve(notStarted(126, describeStartError(error), false));
        return;
      }
      own.close();
      if (child.pid !== undefined) {
        this.#pid = child.pid;
        this.pids.push(child.pid);
      }
      child.on('error', (error) => {
        const starved = isOutOfResources(error);
        resolve(notStarted(127, starved ? describeStartError(error) : error.message, starved));
      });
      child.on('exit', async (exitCode, signal) => {
        const endedAt = Date.now();
        // A shell reports its pipeline's death by SIGPIPE as 141.
        const sigpipe = signal === 'SIGPIPE' || exitCode === 141;
        // Only the stage after it leaving excuses a SIGPIPE: with its stderr's reader gone too,
        // it may have died writing there, its output cut short: its witness tells (verdict.ts).
        const stderrGone = sigpipe && !oneReader && (await isReaderGone(stderr));
        const accepted = exitCode !== null && exitCode !== 0 && okStatus.includes(exitCode);
        resolve({
          exitCode,
          signal,
          closedOutput: sigpipe,
          ...(stderrGone && { stderrGone }),
          endedAt,
          ...(accepted && { accepted }),
        });
      });
    });
  }

  stop(signal: NodeJS.Signals): void {
    signalGroup(this.#pid, signal);
  }

  /**
   * A `grep` stage that exited 1 selected nothing: its stage's `ok-status` can say that 1 is no
   * failure, its other statuses failures still (as a fan's does). None when it has one.
   */
  hint(end: NodeEnd): string | null {
    if (end.error !== undefined || end.signal !== null || end.exitCode !== 1) return null;
    if (this.#okStatusGiven) return null;
    const program = selectsNothing(this.#command);
    if (program === null) return null;
    return `${program} exits 1 when it selects nothing; for that not to fail the run, add ok-status: [0, 1] to stage ${this.label}`;
  }
}

/** Whether two descriptors are the same pipe (one reader for both). */
function samePipe(a: number | 'ignore', b: number): boolean {
  if (a === 'ignore') return false;
  try {
    const [one, two] = [fstatSync(a), fstatSync(b)];
    return one.isFIFO() && one.ino === two.ino && one.dev === two.dev;
  } catch {
    return false;
  }
}
