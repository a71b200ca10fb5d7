import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin, killQuietly } from '../support/proc.js';
import { finish, spawnManifold } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A worker that starts a process in a session of its own (`setsid`), which its process group's
// signal does not reach, holding the worker's stdout: stopped by SIGINT, manifold waited for that
// pipe to close, that is for the detached process to end (611 s for `setsid sleep 1000`), and a
// second SIGINT or SIGTERM did nothing. A stopped worker's output is not wanted once the worker
// itself has ended.

describe('a run stopped while a worker left a detached process holding its output', () => {
  for (const mode of [[], ['--per-block'], ['--merge', 'ordered'], ['--one-to-one']]) {
    it(`${mode.join(' ') || 'ready'}: SIGINT ends it, 130, without waiting for that process`, async () => {
      const dir = tempDir();
      const pidFile = join(dir, 'detached.pid');
      // Its stderr elsewhere: manifold's, the test's pipe, it would hold open too.
      const worker = `setsid sh -c 'echo $$ > "$0"; exec sleep 60' "${pidFile}" 2>/dev/null & cat`;
      const child = spawnManifold(['fan', '-j', '1', ...mode, '--shell', '--', worker]);
      child.stdin!.end('1\n2\n3\n');
      expect(
        await holdsWithin(
          () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'),
          20_000,
        ),
      ).toBe(true);
      onCleanup(() => killQuietly(Number(readFileSync(pidFile, 'utf8'))));
      child.kill('SIGINT');
      // Its 60 s are the hang: the run ends long before.
      const end = await finish(child, 20_000);
      expect({ hung: end.hung, exitCode: end.exitCode }).toEqual({ hung: false, exitCode: 130 });
    }, 30_000);
  }
});
