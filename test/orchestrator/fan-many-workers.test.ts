import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { collect, finish, quote, spawnShell } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// Past about 340 workers, the Python process starter holds descriptors numbered past 1023,
// which select() cannot watch (FD_SETSIZE): it died with ValueError, and every run failed,
// 'worker 1 (pid ...: cat) was killed, as the process starter (python3, pid ...) exited with
// status 70' (or 'cannot start worker 342: ...'), even on five lines of input, under a limit
// that holds -j 400 with room to spare. It now waits with poll(), which has no such bound.

const hardLimit = async () =>
  Number((await collect(spawnShell('ulimit -Hn').stdout)).toString().trim()) || 0;

describe('fan with hundreds of workers', () => {
  it('-j 400 -- cat: every line out, exit 0', async () => {
    if ((await hardLimit()) < 4096) return;
    const dir = tempDir();
    const input = numbered(1, 5000);
    const file = join(dir, 'input');
    writeFileSync(file, input);
    const line = `ulimit -n 4096 && exec ${quote(manifold)} fan -j 400 --block 1K -- cat < ${quote(file)}`;
    const result = await finish(spawnShell(line), 60_000);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const sorted = (text: string) => text.split('\n').sort().join('\n');
    expect(sorted(result.stdout.toString()) === sorted(input)).toBe(true);
  }, 70_000);
});
