import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const bin = (name: string) => `${root}dist/bundle/bin/${name}.js`;
/** The manifold command, as built by `npm run build`. */
export const manifold = bin('manifold');
export const fixture = (name: string) => `${fixtures}${name}`;

export interface Result {
  stdout: Buffer;
  stderr: string;
  exitCode: number | undefined;
  signal: string | undefined;
}

/**
 * Runs a command as a real process, with `input` on stdin; never rejects. execa starts it, feeds
 * it and waits for it and its streams; its output is gathered here as the chunks Node reads and
 * joined once. execa's own buffering grew a resizable ArrayBuffer chunk by chunk and was copied
 * out again: ~1 s of a test file's CPU where it read tens of megabytes (docs/development.md).
 */
export async function run(
  file: string,
  args: string[] = [],
  input: string | Uint8Array = '',
  options: Options = {},
): Promise<Result> {
  const subprocess = execa(file, args, {
    input: typeof input === 'string' ? Buffer.from(input) : input,
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
    ...options,
    buffer: false,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  subprocess.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  subprocess.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const result = await subprocess;
  return {
    stdout: Buffer.concat(stdout),
    stderr: Buffer.concat(stderr).toString(),
    exitCode: result.exitCode,
    signal: result.signal,
  };
}

/** An execa run (encoding 'buffer') as a `Result`: stdout as bytes, stderr as text. */
export function resultOf(result: {
  stdout: unknown;
  stderr: unknown;
  exitCode?: number;
  signal?: string;
}): Result {
  return {
    stdout: Buffer.from(result.stdout as Uint8Array),
    stderr: Buffer.from(result.stderr as Uint8Array).toString(),
    exitCode: result.exitCode,
    signal: result.signal,
  };
}

/** Runs a command, expecting success and nothing on stderr; returns stdout. */
export async function output(
  file: string,
  args: string[] = [],
  input: string | Uint8Array = '',
): Promise<Buffer> {
  const result = await run(file, args, input);
  if (result.exitCode !== 0 || result.stderr !== '') {
    throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  }
  return result.stdout;
}
