import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';
import { spawnManifold, waitForExit, watch } from '../support/spawn.js';
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
      expect(
        readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.part')),
      ).toEqual([]);
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

// Two coordinators of one job (docs/queue.md) with one --output shared a part file: the second
// truncated the first's, and its stop removed it; the first, never stopped, failed with `cannot
// put the output ... it is whole in o.txt.twice.part`, a file no longer there (QA).
describe('fan --queue --output: two coordinators of one job', () => {
  it('the second stopped: the first puts the whole output in place, exit 0', async () => {
    const server = await startNats();
    const dir = tempDir();
    const output = join(dir, 'o.txt');
    const input = Array.from({ length: 2_000 }, (_, i) => `${i + 1}\n`).join('');
    const args = ['fan', '--queue', server.url, '--job', 'twice', '--output', output, '--verbose'];
    const first = spawnManifold(args);
    first.stdin!.end(input);
    await watch(first.stderr!).waitFor(/started job "twice"/, 1);
    const second = spawnManifold(args);
    second.stdin!.end(input);
    await watch(second.stderr!).waitFor(/resuming job "twice"/, 1);
    second.kill('SIGINT');
    expect((await waitForExit(second)).exitCode).toBe(130);
    const worker = startWorker(server.url, ['--job', 'twice'], ['cat']);
    const done = await waitForExit(first);
    expect(done.exitCode).toBe(0);
    expect(readFileSync(output, 'utf8')).toBe(input);
    expect(readdirSync(dir)).toEqual(['o.txt']);
    expect((await worker.done()).exitCode).toBe(0);
  });
});

// A descriptor's name (`/dev/fd/3`, `/dev/stdin`, `/dev/stdout`) had its part file made beside
// it: /dev/fd had no room for one (`no such directory`, exit 2), and as root /dev/stdout was
// replaced by a file at the end. It is written as it is, as a config's output (config.md).
describe('fan --queue --output naming a descriptor', () => {
  it('is written as it is: /dev/fd/3 appended to, no part file', async () => {
    const server = await startNats();
    const dir = tempDir();
    writeFileSync(join(dir, 'out'), 'before\n');
    const worker = startWorker(server.url, ['--job', 'fd'], ['cat']);
    const script = 'printf "a\\nb\\n" | "$0" fan --queue "$1" --job fd --output /dev/fd/3 3>> out';
    const result = await execa('sh', ['-c', script, manifold, server.url], {
      cwd: dir,
      reject: false,
    });
    expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, '', '']);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('before\na\nb\n');
    expect(readdirSync(dir)).toEqual(['out']);
    expect((await worker.done()).exitCode).toBe(0);
  });

  it('open to read only (stdin) is one line naming it, exit 2, no job made', async () => {
    const server = await startNats();
    const script = 'echo a | "$0" fan --queue "$1" --job ro --output /dev/fd/0';
    const result = await execa('sh', ['-c', script, manifold, server.url], { reject: false });
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      'manifold: --output /dev/fd/0: descriptor 0 is open for reading only',
    ]);
    const status = await run(manifold, ['queue', 'status', '--queue', server.url, '--json']);
    expect(status.stdout.toString()).toBe('[]\n');
  });
});
