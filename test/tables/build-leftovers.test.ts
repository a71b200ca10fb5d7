import { chmodSync, chownSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// A rebuild whose old table cannot be removed (made read-only, `chmod -R a-w`): the new table
// is in place, so the build succeeded, and the old one is said and left. It said `built`, then
// failed, exit 1, the table replaced all the same; and every later build of the name died on
// the leftover, a raw `Error: EACCES: permission denied, unlink ...`. As nobody where this is
// root (root removes what it likes).

const asUser = process.getuid?.() === 0;
const build = (dir: string, input: string) => {
  const args = ['table', 'build', input, '--key', 'field:1', '-o', join(dir, 't.mft')];
  return asUser
    ? run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', manifold, ...args])
    : run(manifold, args);
};

describe('a rebuild whose old table cannot be removed', () => {
  it('builds, says what it left, and the next build goes on past it', async () => {
    const dir = join(tempDir('manifold-leftover-'), 'tables');
    mkdirSync(dir);
    if (asUser) chownSync(dir, 65534, 65534);
    for (const v of [1, 2, 3]) writeFileSync(join(dir, `v${v}.tsv`), `a ${v}\n`);
    chmodSync(join(dir, '..'), 0o755);
    expect((await build(dir, join(dir, 'v1.tsv'))).exitCode).toBe(0);
    const table = join(dir, 't.mft');
    for (const name of readdirSync(table)) chmodSync(join(table, name), 0o444);
    chmodSync(table, 0o555);
    const second = await build(dir, join(dir, 'v2.tsv'));
    expect({ exit: second.exitCode, err: second.stderr }).toEqual({
      exit: 0,
      err: expect.stringMatching(
        /^manifold: built .*\nmanifold: the old table \S+\.t\.mft\.old-\d+ cannot be removed \(permission denied\): remove it\n$/,
      ),
    });
    const got = await run(manifold, ['table', 'get', table, 'a']);
    expect(got.stdout.toString()).toBe('a 2\n');
    const third = await build(dir, join(dir, 'v3.tsv'));
    expect({ exit: third.exitCode, err: third.stderr }).toEqual({
      exit: 0,
      err: expect.stringMatching(
        /^manifold: built .*\nmanifold: a dead build's folder \S+ cannot be removed \(permission denied\): remove it\n$/,
      ),
    });
    expect((await run(manifold, ['table', 'get', table, 'a'])).stdout.toString()).toBe('a 3\n');
  });
});
