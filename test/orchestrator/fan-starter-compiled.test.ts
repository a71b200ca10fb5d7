import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, run } from '../helpers.js';
import { records } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// The build compiles the Python process starter ahead (build.mjs, beside the bundle's chunks),
// and manifold's starters load its bytecode instead of compiling the source at each start
// (workers/process/spawner-launch.ts). What cannot load is compiled from the source as before.

const starterDir = `${root}dist/bundle/starter`;

/** The starter's command line, as the worker it started sees it: its parent's. */
const parentCommand = ['--', 'sh', '-c', 'tr "\\0" " " < /proc/$PPID/cmdline; cat > /dev/null'];

/** A copy of the bundle whose starter's files `spoil` may change. */
function bundleCopy(spoil: (starter: string) => void): string {
  const dir = tempDir('manifold-starter-compiled-');
  cpSync(`${root}dist/bundle`, join(dir, 'bundle'), { recursive: true });
  spoil(join(dir, 'bundle', 'starter'));
  return join(dir, 'bundle', 'bin', 'manifold.js');
}

/** The one bytecode file the build wrote (its name is the Python's: manifold_starter.cpython-311.pyc). */
function bytecodeIn(starter: string): string {
  const names = readdirSync(join(starter, '__pycache__'));
  expect(names).toEqual([expect.stringMatching(/^manifold_starter\.cpython-\d+\.pyc$/)]);
  return join(starter, '__pycache__', names[0]!);
}

describe('the Python starter, compiled by the build', () => {
  it('is loaded from beside the bundle, its bytecode checked by hash (npm keeps no file times)', async () => {
    const pyc = readFileSync(bytecodeIn(starterDir));
    // PEP 552's flags: 0b11 is a hash checked against the source at each load.
    expect(pyc.readUInt32LE(4)).toBe(0b11);
    const result = await run(
      process.execPath,
      [`${root}dist/bundle/bin/manifold.js`, 'fan', '-j', '1', ...parentCommand],
      'a\n',
    );
    expect(result.stderr).toBe('');
    const command = result.stdout.toString();
    expect(command).toMatch(/^\/usr\/bin\/python3 -I -S -c import sys\n/);
    expect(command).toContain(` ${starterDir}/manifold_starter.py `);
  });

  const spoiled: [string, (starter: string) => void][] = [
    [
      'its bytecode damaged past the header',
      (starter) => {
        const file = bytecodeIn(starter);
        const pyc = readFileSync(file);
        writeFileSync(file, Buffer.concat([pyc.subarray(0, 16), Buffer.from('not marshal data')]));
      },
    ],
    [
      'its bytecode cut short',
      (starter) =>
        writeFileSync(bytecodeIn(starter), readFileSync(bytecodeIn(starter)).subarray(0, 9)),
    ],
    [
      "its bytecode another Python's (another magic number)",
      (starter) => {
        const file = bytecodeIn(starter);
        const pyc = readFileSync(file);
        pyc.writeUInt16LE(1, 0);
        writeFileSync(file, pyc);
      },
    ],
    ['no bytecode', (starter) => rmSync(join(starter, '__pycache__'), { recursive: true })],
    ['no starter file at all', (starter) => rmSync(starter, { recursive: true })],
  ];

  it.for(spoiled)(
    '%s: the starter still starts the workers, and the run is the same',
    async ([, spoil], { expect }) => {
      const bin = bundleCopy(spoil);
      const input = records(1, 20_000);
      // Each worker says who started it (one write, whole), then copies its blocks.
      const worker = `printf '%s\\n' "$(head -c 25 /proc/$PPID/cmdline | tr '\\0' ' ')" >&2; exec cat`;
      const args = [bin, 'fan', '-j', '2', '--block', '8K', '--merge', 'ordered', '--', 'sh', '-c'];
      const result = await run(process.execPath, [...args, worker], input);
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(/^(\/usr\/bin\/python3 -I -S -c\n)+$/);
      expect(result.stdout.toString()).toBe(input);
    },
  );
});
