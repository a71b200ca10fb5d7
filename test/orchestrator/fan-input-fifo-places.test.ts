import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { killQuietly } from '../support/proc.js';
import { finish } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A message about a block of several inputs names its place in the files, read again to find
// it; a named pipe among them is no file to read again, as stdin is not. It was opened again
// (to be told whether it was one), on the event loop: that open waited for a writer long gone,
// no message came, and SIGINT and SIGTERM did nothing.

describe('a named pipe among several inputs, and a message about a block', () => {
  for (const [what, args] of [
    ['a worker that fails', ['--', 'sh', '-c', 'cat >/dev/null; exit 3']],
    ['a record over --max-record', ['--max-record', '4', '--', 'cat']],
  ] as const) {
    it(`${what}: one line, exit 1, no wait for a writer`, async () => {
      const dir = tempDir();
      const file = join(dir, 'a.txt');
      writeFileSync(file, '1\n2\n3\n');
      const fifo = join(dir, 'b.fifo');
      execFileSync('mkfifo', [fifo]);
      const writer = spawn('sh', ['-c', 'printf "4\\n55555555\\n6\\n" > "$1"', 'sh', fifo], {
        stdio: 'ignore',
      });
      onCleanup(() => killQuietly(writer.pid!));
      const child = spawn(manifold, ['fan', '--input', file, '--input', fifo, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      onCleanup(() => killQuietly(child.pid!));
      const end = await finish(child, 20_000);
      expect({ hung: end.hung, exitCode: end.exitCode }).toEqual({ hung: false, exitCode: 1 });
      expect(end.stderr.trim().split('\n').length).toBe(1);
    });
  }
});
