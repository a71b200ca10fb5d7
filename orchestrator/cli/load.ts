import { ExitCode } from '../../filters/index.js';
import type { Fan } from '../fan/engine.js';
import { CliError } from './errors.js';
import { TOO_FEW_FILES } from './start-limit.js';

/**
 * A part of manifold a command loads when it needs it (an `import()`). Out of descriptors,
 * Node's loader cannot open its files: the one line manifold says when it cannot start, exit 2,
 * not Node's stack.
 */
export async function loadPart<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EMFILE')
      throw new CliError(TOO_FEW_FILES, ExitCode.usage);
    throw error;
  }
}

/**
 * The fan's engine, loaded when a fan is about to run, not as manifold starts: `--help`,
 * `--version`, a usage error and the commands that run no fan never load it, which is about a
 * third of the code `manifold fan` loads (docs/performance.md, "Start-up").
 */
export async function loadFan(): Promise<typeof Fan> {
  return (await loadPart(() => import('../fan/engine.js'))).Fan;
}
