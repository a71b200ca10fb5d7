import { manifold, run } from '../helpers.js';
import { tempDir } from './temp.js';

// `manifold run <config>` as the pipeline suites run it: configs are written into temporary
// folders and run from another, so that the relative paths in them (inputs, output,
// commands) are resolved against the config's folder and not the working directory.

/** `manifold run <config>` from a working directory that is not the config's folder. */
export async function runConfig(
  config: string,
  input: string | Uint8Array = '',
  options: { args?: string[]; env?: Record<string, string>; timeout?: number } = {},
) {
  return run(manifold, ['run', config, ...(options.args ?? [])], input, {
    cwd: tempDir('manifold-pipe-cwd-'),
    env: options.env ?? {},
    timeout: options.timeout ?? 20_000,
  });
}

/** A run's status, stderr and stdout together, so that a failure shows them all in one diff. */
export const outcome = (result: {
  exitCode: number | undefined;
  stderr: string;
  stdout: Buffer;
}) => ({
  exitCode: result.exitCode,
  stderr: result.stderr,
  stdout: result.stdout.toString(),
});
