import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { quote } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// What the open-file limit allows, said and done: a sorted merge's pipes, made before its
// workers, are theirs (it said "at most 0 workers" for -j 16 at 64, and fewer as -j grew);
// --fifo's mkfifo costs one descriptor, not its stdout's too (-j 16 ran out halfway, exit 1,
// `spawn mkfifo EMFILE`).

const limited = (limit: number, args: string[], input: string) =>
  run('sh', [
    '-c',
    `ulimit -n ${limit} && exec ${quote(manifold)} ${args.map(quote).join(' ')} < ${quote(input)}`,
  ]);

const allowed = (stderr: string) => /allows at most (\d+) workers/.exec(stderr)?.[1];

describe('the open-file limit', () => {
  it('allows a sorted merge as many workers as a ready one, and they run', async () => {
    const input = join(tempDir('manifold-fds-'), 'in');
    writeFileSync(input, numbered(1, 2000));
    const ready = await limited(64, ['fan', '-j', '40', '--', 'cat'], input);
    const sorted = await limited(
      64,
      ['fan', '-j', '40', '--merge', 'sorted', '--numeric', '--', 'sort', '-n'],
      input,
    );
    const each = [ready, sorted].map((r) => ({ exit: r.exitCode, allowed: allowed(r.stderr) }));
    expect(each[1]).toEqual(each[0]);
    expect(Number(each[0]!.allowed)).toBeGreaterThanOrEqual(8);
    const j = each[0]!.allowed!;
    const ran = await limited(
      64,
      ['fan', '-j', j, '-N', '50', '--merge', 'sorted', '--numeric', '--', 'sort', '-n'],
      input,
    );
    expect({ exit: ran.exitCode, err: ran.stderr, out: ran.stdout.toString() }).toEqual({
      exit: 0,
      err: '',
      out: numbered(1, 2000),
    });
  });

  it('holds -j 16 under --fifo at 64, as without it', async () => {
    const input = join(tempDir('manifold-fds-'), 'in');
    writeFileSync(input, numbered(1, 20_000));
    const ran = await limited(
      64,
      ['fan', '-j', '16', '--fifo', '-N', '500', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect({ exit: ran.exitCode, err: ran.stderr, out: ran.stdout.toString() }).toEqual({
      exit: 0,
      err: '',
      out: numbered(1, 20_000),
    });
  });

  // Just above what Node needs to start, /proc/self/limits cannot be opened any more when a
  // worker cannot start: the line said `ulimit -n unknown`.
  it('a worker out of descriptors names the limit, or none, never `unknown`', async () => {
    const input = join(tempDir('manifold-fds-'), 'in');
    writeFileSync(input, numbered(1, 10));
    const lines: string[] = [];
    for (let limit = 18; limit <= 23; limit++) {
      const ran = await limited(limit, ['fan', '-j', '1', '--', 'cat'], input);
      lines.push(ran.stderr);
    }
    expect(lines.filter((line) => /unknown/.test(line))).toEqual([]);
    expect(lines.some((line) => /out of file descriptors|open-file limit/.test(line))).toBe(true);
  });
});
