import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// A thread's module that cannot be loaded is said in one line with its error's kind and where
// it was: the line said the message's first line alone (`Unexpected token ';'`), with no file
// nor line, and an error in a module it imports was charged to it. An ES module's syntax error
// carries no place Node tells a caller: the line says how to see it.

/** Files in a fresh folder; the folder. */
function files(named: Record<string, string>): string {
  const dir = tempDir('manifold-thread-load-');
  for (const [name, text] of Object.entries(named)) writeFileSync(join(dir, name), text);
  return dir;
}

const load = async (dir: string, file: string) => {
  const result = await fan(['-j', '2', '--threads', '--', join(dir, file)], 'a\n');
  return { exitCode: result.exitCode, stderr: result.stderr };
};

describe("a thread's module that cannot be loaded", () => {
  it('a throw at its top: the message and the file, line and column', async () => {
    const dir = files({ 'top.mjs': 'const x = 1;\nthrow new Error("no " + x);\n' });
    expect(await load(dir, 'top.mjs')).toEqual({
      exitCode: 2,
      stderr: `manifold: cannot start worker 1: cannot load ${dir}/top.mjs: no 1 (at ${dir}/top.mjs:2:7)\n`,
    });
  });

  it('a CommonJS syntax error: its kind and the file and line', async () => {
    const dir = files({ 'bad.cjs': '// a filter\nmodule.exports = 1 +;\n' });
    expect(await load(dir, 'bad.cjs')).toEqual({
      exitCode: 2,
      stderr: `manifold: cannot start worker 1: cannot load ${dir}/bad.cjs: SyntaxError: Unexpected token ';' (at ${dir}/bad.cjs:2)\n`,
    });
  });

  it('an ES module syntax error in a module it imports: its kind, and how to see where', async () => {
    const dir = files({
      'lib.mjs': 'export const f = (x) => x +;\n',
      'uses.mjs': "import { f } from './lib.mjs';\nf();\n",
    });
    expect(await load(dir, 'uses.mjs')).toEqual({
      exitCode: 2,
      stderr: `manifold: cannot start worker 1: cannot load ${dir}/uses.mjs: SyntaxError: Unexpected token ';' (in it or a module it imports: node ${dir}/uses.mjs </dev/null says where)\n`,
    });
  });

  it('a module that is no SDK filter, run as `node <module>`: named by its file, not as node (it said node is not an SDK filter)', async () => {
    const dir = files({ 'plain.mjs': 'export const x = 1;\n' });
    const result = await fan(['--threads', '--', 'node', join(dir, 'plain.mjs')], 'a\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: cannot start worker 1: ${dir}/plain.mjs is not an SDK filter: it ran without calling defineFilter(...).main() (--threads runs SDK filters only)\n`,
    });
  });
});
