import { ManifoldError } from '../../filters/index.js';

/** A command-line failure with its own exit status (127 for a command that cannot run). */
export class CliError extends ManifoldError {
  constructor(message: string, exitCode: number) {
    super('manifold.usage', message, { exitCode });
    this.name = 'CliError';
  }
}
