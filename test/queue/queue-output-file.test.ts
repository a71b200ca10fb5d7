import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';
import { tempDir } from '../support/temp.js';

// `manifold fan --queue ... --output FILE` where FILE cannot be written: one line naming
// --output, exit 2, before any job is made on the server, as for an --input that cannot be
// read: not Node's 'Error: ENOENT: no such file or directory, open ...part' (exit 1), leaving
// an empty job on the server, nor, for a folder, an error at the end, the whole job run
// ('Error: EISDIR: illegal operation on a directory, rename ...'), its .part left beside it.

describe('fan --queue --output that cannot be written', () => {
  it('in no folder, or a folder itself: one line naming it, exit 2, no job made', async () => {
    const server = await startNats();
    const dir = tempDir();
    const folder = join(dir, 'out');
    mkdirSync(folder);
    const file = join(dir, 'file');
    writeFileSync(file, '');
    // A path through a file said Node's `Error: ENOTDIR: not a directory, stat ...`, exit 1;
    // '' made the whole job run, then failed to rename its part file (QA).
    const cases: [string, string][] = [
      [join(dir, 'none', 'out.txt'), `--output ${join(dir, 'none', 'out.txt')}: no such directory`],
      [folder, `--output ${folder}: is a directory`],
      [join(file, 'x'), `--output ${join(file, 'x')}: a part of the path is not a directory`],
      ['', '--output must name a file'],
    ];
    for (const [output, line] of cases) {
      const result = await coordinate(server.url, ['--job', 'out', '--output', output], 'a\n');
      expect(result.stderr).toBe(`manifold: ${line}\n`);
      expect(result.exitCode).toBe(2);
      expect(existsSync(`${output}.out.part`)).toBe(false);
    }
    const status = await run(manifold, ['queue', 'status', '--queue', server.url, '--json']);
    expect(status.stdout.toString()).toBe('[]\n');
  });

  // `-` is stdout, as for --input, --stats and --joblog: it was a file named `-` (QA).
  it('- is stdout', async () => {
    const server = await startNats();
    const dir = tempDir();
    const worker = startWorker(server.url, ['--job', 'dash'], ['cat']);
    const result = await coordinate(server.url, ['--job', 'dash', '--output', '-'], 'a\nb\n', {
      cwd: dir,
    });
    expect([result.exitCode, result.stdout.toString(), result.stderr]).toEqual([0, 'a\nb\n', '']);
    expect(readdirSync(dir)).toEqual([]);
    expect((await worker.done()).exitCode).toBe(0);
  });
});
