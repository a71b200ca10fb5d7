import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { bin } from '../helpers.js';

// What an SDK filter's stdin can be besides a pipe: a directory is one line in words, as
// `cat < /tmp` says "Is a directory", not a bare errno code; /dev/null is empty input.

/** `mf-map r` with stdin the open descriptor `fd` (execa's types take no descriptor). */
function mfMapFrom(
  fd: number,
): Promise<{ exitCode: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [bin('mf-map'), 'r'], { stdio: [fd, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (exitCode) => resolve({ exitCode, stderr, stdout }));
  });
}

describe('stdin that is not a pipe', () => {
  it('a directory: exit 1, the reason in words and its code', async () => {
    const directory = openSync(tmpdir(), 'r');
    try {
      const result = await mfMapFrom(directory);
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 1,
        stderr: 'mf-map: cannot read stdin: is a directory (EISDIR)\n',
      });
    } finally {
      closeSync(directory);
    }
  });

  it('/dev/null: empty input, exit 0 and nothing written', async () => {
    const empty = openSync('/dev/null', 'r');
    try {
      const result = await mfMapFrom(empty);
      expect(result).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: '',
      });
    } finally {
      closeSync(empty);
    }
  });
});
