import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byteDiff, sameBytes } from '../support/diff.js';
import { OK, ok } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, gate, startWorker } from '../support/queue.js';
import { spawnManifold, watch } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A job resumed by name takes the answers stored for it: they must be answers to this input's
// blocks, or the output is another input's, exit 0.

const input = Buffer.from(numbered(1, 3_000));
// The same lengths, so the same blocks, other bytes: what a rerun on another file of the same
// kind gives (`--job` defaults to one name for every run).
const other = Buffer.from(
  numbered(1, 3_000).replace(/[0-9]/g, (d) => String((Number(d) + 1) % 10)),
);

describe('a job resumed with another input', () => {
  it('is refused in one line (exit 2), nothing written, the job kept; with its own input it finishes', async () => {
    const server = await startNats();
    const { command, open, close } = gate();
    const worker = startWorker(server.url, ['-j', '1', '--job', 'again', '--shell'], command);
    const args = ['--job', 'again', '--block', '4K', '--merge', 'ordered'];
    // The first run, killed once block 1's answer is stored (it has written it).
    const first = spawnManifold(['fan', '--queue', server.url, ...args]);
    first.stdin!.end(input);
    open(2);
    await watch(first.stdout!).waitFor(/^1$/, 1);
    first.kill('SIGKILL');
    open(100);
    const refused = await coordinate(server.url, args, other);
    expect(refused.stderr).toBe(
      'manifold: job "again" on the queue was started with another input: the answer stored for block 1 (records 1-1040) was made from other bytes than this input\'s: resume it with the same input, or give another --job\n',
    );
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout.length).toBe(0);
    // Kept through the refusal: resumed with its own input, it finishes, the same bytes.
    const result = await coordinate(server.url, args, input);
    close();
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
  });

  it('of several --input files names the block in them, as the rest of the fan does', async () => {
    // It named block 1 through the stream (records 1-1040) where every other message of a fan
    // of several files names it by file (a:1-500, b:1-540).
    const server = await startNats();
    const { command, open, close } = gate();
    const worker = startWorker(server.url, ['-j', '1', '--job', 'files', '--shell'], command);
    const dir = tempDir();
    const files = (names: string[], text: string) => {
      const lines = text.split(/(?<=\n)/);
      const [a, b] = names.map((name) => join(dir, name));
      writeFileSync(a!, lines.slice(0, 500).join(''));
      writeFileSync(b!, lines.slice(500).join(''));
      return ['--input', a!, '--input', b!];
    };
    const args = ['--job', 'files', '--block', '4K', '--merge', 'ordered'];
    const first = spawnManifold([
      'fan',
      '--queue',
      server.url,
      ...args,
      ...files(['a', 'b'], input.toString()),
    ]);
    first.stdin!.end();
    open(2);
    await watch(first.stdout!).waitFor(/^1$/, 1);
    first.kill('SIGKILL');
    open(100);
    const refused = await coordinate(server.url, [...args, ...files(['c', 'd'], other.toString())]);
    close();
    expect({ exitCode: refused.exitCode, stderr: refused.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: job "files" on the queue was started with another input: the answer stored for block 1 (${dir}/c:1-500, ${dir}/d:1-540) was made from other bytes than this input's: resume it with the same input, or give another --job\n`,
    });
    worker.kill();
  });
});
