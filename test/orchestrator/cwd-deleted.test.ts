import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// A shell sitting in a folder that was deleted (`rm -rf` of a build folder) runs cat, sort and
// parallel there: manifold runs too, where nothing needs a relative path or a thread; where one
// does, it says why in one line. Before, every fan and run said `Error: ENOENT: ..., uv_cwd`.

/** manifold, started by a shell whose current folder it deleted first. */
function inDeletedFolder(args: string[], input: string) {
  const gone = mkdtempSync(join(tmpdir(), 'manifold-cwd-gone-'));
  const script = 'cd "$1" && rmdir "$1" && shift && exec "$@"';
  return run('sh', ['-c', script, 'sh', gone, process.execPath, manifold, ...args], input);
}

describe('a current folder deleted', () => {
  it('runs a fan and a config of absolute paths', async () => {
    const ran = await inDeletedFolder(
      ['fan', '-j', '2', '--merge', 'ordered', '--', 'cat'],
      '1\n2\n3\n',
    );
    expect({ exit: ran.exitCode, out: ran.stdout.toString(), err: ran.stderr }).toEqual({
      exit: 0,
      out: '1\n2\n3\n',
      err: '',
    });
    const config = join(mkdtempSync(join(tmpdir(), 'manifold-cwd-config-')), 'c.yaml');
    writeFileSync(config, 'stages: [{run: cat}, {fan: {workers: 2, worker: sort}}]\n');
    const piped = await inDeletedFolder(['run', config], '2\n1\n');
    expect({ exit: piped.exitCode, out: piped.stdout.toString(), err: piped.stderr }).toEqual({
      exit: 0,
      out: '1\n2\n',
      err: '',
    });
  });

  it('says in one line why a thread cannot start, or a relative path be found', async () => {
    const threads = await inDeletedFolder(['fan', '--threads', '--', 'mf-map', 'r'], 'a\n');
    expect({ exit: threads.exitCode, err: threads.stderr }).toEqual({
      exit: 2,
      err: expect.stringMatching(
        /^manifold: cannot start worker 1: the current folder was deleted .*: cd to a folder that exists\n$/,
      ),
    });
    const table = await inDeletedFolder(['fan', '--table', 'a=rel.mft', '--', 'cat'], 'a\n');
    expect(table.stderr).toMatch(/^manifold: the current folder was deleted .*\n$/);
    expect(table.stderr).not.toMatch(/uv_cwd/);
  });
});
