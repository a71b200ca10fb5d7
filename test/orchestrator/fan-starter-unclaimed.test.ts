import { execFileSync, spawn } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { killQuietly, runningWith } from '../support/proc.js';
import { finish } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// `manifold fan` starts its Python process starter while its engine loads (cli/fan.ts). One no
// slot takes (nothing to read) has started no command, and is killed as manifold exits. Left to
// end by itself, it finished Python's start first, holding manifold's stdout and stderr open
// after manifold's end: ~25 ms more for a run of nothing, and for as long as that start takes. Here it never ends: in a copy of the bundle, the starter's
// source (whose hash Python checks against its bytecode as it loads) is a named pipe no one
// writes.

/** A copy of the bundle whose starter never finishes starting; its executable. */
function stuckStarterBundle(): { bin: string; dir: string } {
  const dir = tempDir('manifold-starter-unclaimed-');
  cpSync(`${root}dist/bundle`, join(dir, 'bundle'), { recursive: true });
  const source = join(dir, 'bundle', 'starter', 'manifold_starter.py');
  rmSync(source);
  execFileSync('mkfifo', [source]);
  // A starter left waiting on the pipe outlives the run: killed when the case ends.
  onCleanup(() => {
    for (const pid of runningWith(dir)) killQuietly(pid);
  });
  return { bin: join(dir, 'bundle', 'bin', 'manifold.js'), dir };
}

describe('a process starter no slot took', () => {
  it('empty input: the run ends with manifold, its output closed, the starter ended', async () => {
    const { bin, dir } = stuckStarterBundle();
    const child = spawn(process.execPath, [bin, 'fan', '-j', '2', '--', 'cat']);
    child.stdin.end();
    // 'close': stdout and stderr closed, by every process that held them.
    const { exitCode, stdout, stderr, hung } = await finish(child, 20_000);
    expect({ exitCode, stdout: stdout.toString(), stderr, hung }).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
      hung: false,
    });
    expect(runningWith(dir)).toEqual([]);
  });
});
