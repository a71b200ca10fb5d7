import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// {%} in a thread's module path: each slot's thread loads its command with {%} filled, the
// path too, so the check before anything runs looks at each slot's module. Looking at the path
// as written, it would refuse `--threads -- ./f{%}.js` (`./f{%}.js: no such file`) though
// ./f1.js and ./f2.js are there, and take it when a file named `f{%}.js` is.

/** A folder holding f1.js (records as they are) and f2.js (upper-cased), SDK filters. */
function slotModules(): string {
  const dir = tempDir();
  symlinkSync(fixture('passthrough.js'), join(dir, 'f1.js'));
  symlinkSync(fixture('upper-async.js'), join(dir, 'f2.js'));
  return dir;
}

const input = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join('');
const args = ['fan', '-j', '2', '--block', '1K', '--threads', '--tag'];

describe('--threads with {%} in the module path', () => {
  it("runs each slot's module: worker 1 f1.js, worker 2 f2.js", async () => {
    const dir = slotModules();
    const result = await run(manifold, [...args, '--', join(dir, 'f{%}.js')], input);
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.toString().trim().split('\n');
    expect(lines).toHaveLength(2000);
    for (const line of lines) {
      expect(line).toMatch(/^(1\tline \d+|2\tLINE \d+)$/);
    }
  });

  it("refuses, before anything runs, a slot's module that is not there, by its filled path", async () => {
    const dir = slotModules();
    const three = args.map((arg) => (arg === '2' ? '3' : arg));
    const result = await run(manifold, [...three, '--', join(dir, 'f{%}.js')], input);
    expect([result.exitCode, result.stderr, result.stdout.length]).toEqual([
      127,
      `manifold: ${join(dir, 'f3.js')}: no such file\n`,
      0,
    ]);
  });
});
