import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { quoteName } from '../../filters/errors.js';
import { ExitCode, ManifoldError, UsageError } from '../../filters/index.js';
import { describeWriteErrno } from '../options/inputs.js';

/**
 * The file of `manifold fan --queue ... --output FILE`: the output goes to a temporary file
 * beside it, renamed to FILE once the run has succeeded, so that a run that fails or is stopped
 * leaves no FILE. Opened before the job is made on the server: a FILE that cannot be written is
 * one line naming it, exit 2, as an --input that cannot be read, and no job is left behind.
 */
export class OutputFile {
  readonly fd: number;
  readonly #target: string;
  readonly #part: string;

  constructor(target: string, job: string) {
    this.#target = target;
    // Its own, by this process's id: two coordinators of one job (docs/queue.md) each have one,
    // where a second truncated the first's, and its stop removed it.
    this.#part = `${target}.${job}.${process.pid}.part`;
    // Nothing to rename to: `''` was a part file in the current folder, then a rename that
    // failed at the end of the whole job.
    if (target === '') throw new UsageError('--output must name a file');
    try {
      // A folder is found now, not by the rename at the end of the whole job.
      if (statSync(target, { throwIfNoEntry: false })?.isDirectory())
        throw new UsageError(`--output ${quoteName(target)}: is a directory`);
      this.fd = openSync(this.#part, 'w');
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--output ${quoteName(target)}: ${describeWriteErrno(error)}`, error);
    }
  }

  /** The run succeeded: the output, synced, becomes FILE; when it cannot, it is left, named. */
  commit(): void {
    try {
      const fd = openSync(this.#part, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(this.#part, this.#target);
    } catch (error) {
      // Said to be whole where it is still there.
      const kept = statSync(this.#part, { throwIfNoEntry: false })
        ? `; it is whole in ${this.#part}`
        : '';
      throw new ManifoldError(
        'manifold.io',
        `cannot put the output at --output ${quoteName(this.#target)}: ${describeWriteErrno(error)}${kept}`,
        { exitCode: ExitCode.failure, cause: error },
      );
    }
  }

  /** The run failed or was stopped: no FILE, and nothing beside it. */
  discard(): void {
    rmSync(this.#part, { force: true });
  }
}
