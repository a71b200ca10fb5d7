import { ExitCode, ManifoldError } from '../../filters/index.js';
import { descriptorLine, descriptorProblem } from '../options/descriptors.js';

/**
 * Throws unless `fd`, which `path` names, is open, for `use`, and one manifold was given: not
 * one Node holds for itself (`nodeOwn`). One line, naming the path, exit 1. (A config's are
 * checked with it, `manifold.usage` at their place: this is the run's last word.)
 */
export function checkGiven(fd: number, path: string, use: 'read' | 'write'): void {
  const problem = descriptorProblem(fd, use);
  if (problem === null) return;
  throw new ManifoldError('manifold.io', descriptorLine(fd, path, use, problem.why), {
    exitCode: ExitCode.failure,
    cause: problem.cause,
  });
}
