import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { manifold } from '../helpers.js';

/**
 * `--cat`/`--fifo` (`mode`) and a signal to manifold while both workers hold their blocks'
 * files in `folder`: runs `manifold fan -j 2 -N 1 <mode> <extra>` on three lines with `env`,
 * waits until both workers have started (two files in `folder`), sends `signal`, and checks
 * manifold's status (130, 143) and that `folder` is empty after.
 */
export async function signalWhileFilesHeld(
  mode: string,
  extra: string[],
  env: NodeJS.ProcessEnv,
  folder: string,
  signal: 'SIGINT' | 'SIGTERM',
): Promise<void> {
  const args = ['fan', '-j', '2', '-N', '1', mode, ...extra, '--shell', '--'];
  const child = spawn('node', [manifold, ...args, 'echo started >&2; exec sleep 1000 # {}'], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env,
  });
  child.stdin.end('a\nb\nc\n');
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.split('started').length - 1 === 2) resolve();
    });
  });
  // Both workers run with their blocks' files made.
  expect(readdirSync(folder).length).toBe(2);
  child.kill(signal);
  const [code] = await once(child, 'close');
  expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
  expect(readdirSync(folder)).toEqual([]);
}
