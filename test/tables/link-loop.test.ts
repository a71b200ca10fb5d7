import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// A table path that is a link to itself (`ln -s loop loop`) is something that cannot be
// reached, not nothing: every command that opens a table says so in words, as `table build`
// says an input it cannot open (19cacc7): not `no such table (nothing at that path)` nor
// `nothing at the path loop` (mf-join --table loop); and `table build -o loop` says it before
// reading its input, not once it has read it all, in errno's words (`ELOOP: ...`), exit 1.

/** A folder holding `loop` (a link to itself) and `t.mft`, whose table.json is one. */
function folderWithLoops(): string {
  const dir = tempDir();
  symlinkSync('loop', join(dir, 'loop'));
  mkdirSync(join(dir, 't.mft'));
  symlinkSync('table.json', join(dir, 't.mft', 'table.json'));
  return dir;
}

const cases: [string, string, string[], string][] = [
  [
    'table get',
    manifold,
    ['table', 'get', 'loop', 'a'],
    'manifold: table loop: too many symbolic links\n',
  ],
  [
    'table stat',
    manifold,
    ['table', 'stat', 'loop'],
    'manifold: table loop: too many symbolic links\n',
  ],
  [
    'table serve',
    manifold,
    ['table', 'serve', 'loop'],
    'manifold: table loop: too many symbolic links\n',
  ],
  [
    'fan --table',
    manifold,
    ['fan', '--table', 't=loop', '--', 'cat'],
    "manifold: table DIR/loop: too many symbolic links (see 'manifold fan --help')\n",
  ],
  [
    'mf-join --table NAME=PATH',
    bin('mf-join'),
    ['--table', 't=loop'],
    'mf-join: table loop: too many symbolic links\n',
  ],
  [
    'mf-join --table PATH',
    bin('mf-join'),
    ['--table', 'loop'],
    'mf-join: table loop: too many symbolic links\n',
  ],
  [
    'table get, table.json a loop',
    manifold,
    ['table', 'get', 't.mft', 'a'],
    'manifold: table t.mft: cannot read table.json: too many symbolic links\n',
  ],
  [
    'table build -o',
    manifold,
    ['table', 'build', '-', '--key', 'field:1', '-o', 'loop'],
    'manifold: -o loop: too many symbolic links\n',
  ],
];

describe('a table path that is a loop of links', () => {
  it.for(cases)('%s says so in words, exit 2', async ([, file, args, said]) => {
    const dir = folderWithLoops();
    const result = await run(file, args, 'a 1\n', { cwd: dir });
    expect({ exitCode: result.exitCode, stderr: result.stderr.replaceAll(dir, 'DIR') }).toEqual({
      exitCode: 2,
      stderr: said,
    });
    expect(result.stdout.length).toBe(0);
  });
});
