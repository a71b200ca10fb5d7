import { ExitCode } from '../../filters/index.js';
import type { Fan } from '../fan/engine.js';
import { CliError } from './errors.js';
import { TOO_FEW_FILES } from './start-limit.js';

/**
 * The fan's engine, loaded when a fan is about to run, not as manifold starts: `--help`,
 * `--version`, a usage error and the commands that run no fan never load it, which is about a
 * third of the code `manifold fan` loads (docs/performance.md, "Start-up").
 */
export async function loadFan(): Promise<typeof Fan> {
  try {
    return (await import('../fan/engine.js')).Fan;
  } catch (error) {
    // Out of descriptors, Node's loader cannot open the engine's files: the one line manifold
    // says when it cannot start, exit 2, not Node's stack.
    if ((error as NodeJS.ErrnoException).code === 'EMFILE')
      throw new CliError(TOO_FEW_FILES, ExitCode.usage);
    throw error;
  }
}
