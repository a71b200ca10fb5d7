import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { spawnManifold, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// Input that trickles in, read by manifold itself (a socket: Node's 'pipe' stdio, as over ssh;
// a pipe under --stats), was held until a block filled or the input ended: `tail -f log |
// manifold fan -- grep x` showed nothing. Each line must come out while the input stays open,
// as it does from a pipe the process starter takes. The next line is written only once the
// last one came out: a fan that waits for more never shows it (the limit fails the test).

const LIMIT = 15_000;

/** Writes lines one at a time into `input`, each once its output came out, then ends it. */
async function trickle(
  args: string[],
  input: (child: ReturnType<typeof spawnManifold>) => Writable,
) {
  const child = spawnManifold(['fan', ...args, '--', 'sed', '-u', 's/^/got /']);
  const stdout = watch(child.stdout!);
  const stderr = watch(child.stderr!);
  const writer = input(child);
  for (const n of [1, 2, 3]) {
    writer.write(`line ${n}\n`);
    await within(
      stdout.waitFor(new RegExp(`^got line ${n}$`), 1),
      LIMIT,
      () => `line ${n} was not passed on while the input stayed open; stdout: ${stdout.text}`,
    );
  }
  writer.end();
  const [code] = await once(child, 'exit');
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('input that trickles in is passed on as it comes', () => {
  it.each([
    ['-j 1', ['-j', '1']],
    ['-j 2', ['-j', '2']],
    ['-j 2 --stats', ['-j', '2', '--stats', '/dev/null']],
    ['--one-to-one --merge ordered', ['-j', '2', '--one-to-one', '--merge', 'ordered']],
  ])(
    'from a socket (%s)',
    async (_, args) => {
      const result = await trickle(args, (child) => child.stdin!);
      expect(result).toEqual({
        code: 0,
        stdout: 'got line 1\ngot line 2\ngot line 3\n',
        stderr: '',
      });
    },
    60_000,
  );

  it('from a named pipe manifold reads itself (--input, --stats)', async () => {
    const fifo = join(tempDir('manifold-trickle-'), 'in');
    execFileSync('mkfifo', [fifo]);
    const args = ['-j', '2', '--stats', '/dev/null', '--input', fifo];
    const result = await trickle(args, () => createWriteStream(fifo));
    expect(result).toEqual({ code: 0, stdout: 'got line 1\ngot line 2\ngot line 3\n', stderr: '' });
  }, 60_000);
});
