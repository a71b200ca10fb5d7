import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { quoteName } from '../../filters/errors.js';
import { ExitCode, ManifoldError, UsageError } from '../../filters/index.js';
import { descriptorNamed, descriptorProblem } from '../options/descriptors.js';
import { describeWriteErrno } from '../options/inputs.js';

/**
 * The descriptor `--output` names (`/dev/stdout`, `/dev/fd/3`, `/dev/stdin`), written as it
 * is, as a config's output is: nothing is renamed over it (as root, /dev/stdout became a file;
 * /dev/fd/3 had no folder for the part file). Null for a file; one that cannot be written is a
 * usage error naming it.
 */
export function givenOutput(target: string): number | null {
  const fd = descriptorNamed(target);
  if (fd === null) return null;
  const problem = descriptorProblem(fd, 'write');
  if (problem !== null)
    throw new UsageError(
      `--output ${quoteName(target)}: descriptor ${fd} ${problem.why}`,
      problem.cause,
    );
  return fd;
}

/**
 * The file of `manifold fan --queue ... --output FILE`: the output goes to a temporary file
 * beside it, renamed to FILE once the run has succeeded, so that a run that fails or is stopped
 * leaves no FILE. Opened before the job is made on the server: a FILE that cannot be written is
 * one line naming it, exit 2, as an --input that cannot be read, and no job is left behind.
 */
export class OutputFile {
  readonly fd: number;
  readonly #target: string;
  /** Null for a descriptor written as it is. */
  readonly #part: string | null;

  constructor(target: string, job: string) {
    this.#target = target;
    // Nothing to rename to: `''` was a part file in the current folder, then a rename that
    // failed at the end of the whole job.
    if (target === '') throw new UsageError('--output must name a file');
    const given = givenOutput(target);
    if (given !== null) {
      this.fd = given;
      this.#part = null;
      return;
    }
    // Its own, by this process's id: two coordinators of one job (docs/queue.md) each have one,
    // where a second truncated the first's, and its stop removed it.
    this.#part = `${target}.${job}.${process.pid}.part`;
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
    if (this.#part === null) return;
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
    if (this.#part !== null) rmSync(this.#part, { force: true });
  }
}
