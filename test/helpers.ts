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

/** Runs a command as a real process, with `input` on stdin; never rejects. */
export async function run(
  file: string,
  args: string[] = [],
  input: string | Uint8Array = '',
  options: Options = {},
): Promise<Result> {
  const result = await execa(file, args, {
    input: typeof input === 'string' ? Buffer.from(input) : input,
    encoding: 'buffer',
    reject: false,
    stripFinalNewline: false,
    ...options,
  });
  return resultOf(result);
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
