import { copyFileSync, cpSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { manifold, root, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// manifold's executable runs its one bundle (chunks/manifold.cjs) with the code V8 compiled for
// it as the build ran a small fan (manifold.cjs.cache): taken when it is this build's and this
// Node's, and otherwise left, the bundle compiled as it runs, with the same result.
// MANIFOLD_DEBUG=1 has the executable say which.

const input = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join('');
const debug = { env: { MANIFOLD_DEBUG: '1' } };

/** A copy of the build (its bundle, and the package.json manifold finds its version in). */
function copyOfBuild(): { bin: string; cache: string } {
  const dir = tempDir('manifold-code-cache-');
  cpSync(join(root, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  return {
    bin: join(dir, 'dist', 'bundle', 'bin', 'manifold.js'),
    cache: join(dir, 'dist', 'bundle', 'chunks', 'manifold.cjs.cache'),
  };
}

describe.concurrent('the code cache of manifold', () => {
  it("is taken from the build, and the fan's output is whole", async ({ expect }) => {
    const result = await run(manifold, ['fan', '-j', '2', '--', 'cat'], input, debug);
    expect(result.stderr).toBe('manifold: debug: code cache taken\n');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString().split('\n').sort().join('\n')).toBe(
      input.split('\n').sort().join('\n'),
    );
  });

  const damaged: [string, (cache: string) => void, string][] = [
    ['absent', (cache) => rmSync(cache), 'absent'],
    [
      "another build's (its mark changed)",
      (cache) => {
        const bytes = readFileSync(cache);
        bytes[0] = bytes[0] === 0x30 ? 0x31 : 0x30;
        writeFileSync(cache, bytes);
      },
      "another build's",
    ],
    [
      'cut short',
      (cache) => truncateSync(cache, 16 + 4096),
      'refused by V8 (another Node, or other V8 flags)',
    ],
  ];
  it.for(damaged)('%s: left, and the run is the same', async ([, damage, said], { expect }) => {
    const { bin, cache } = copyOfBuild();
    damage(cache);
    const args = ['fan', '-j', '2', '--merge', 'ordered', '--', 'cat'];
    const result = await run(bin, args, input, debug);
    expect(result.stderr).toBe(`manifold: debug: code cache ${said}\n`);
    expect({ exitCode: result.exitCode, same: result.stdout.toString() === input }).toEqual({
      exitCode: 0,
      same: true,
    });
    const usage = await run(bin, ['fan', '--bogus', '--', 'cat'], '', debug);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toBe(
      `manifold: debug: code cache ${said}\nmanifold: unknown option '--bogus' (see 'manifold fan --help')\n`,
    );
  });

  it('other V8 flags (NODE_OPTIONS): refused by V8, and the run is the same', async ({
    expect,
  }) => {
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--merge', 'ordered', '--', 'cat'],
      input,
      {
        env: { MANIFOLD_DEBUG: '1', NODE_OPTIONS: '--max-old-space-size=1000' },
      },
    );
    expect(result.stderr).toBe(
      'manifold: debug: code cache refused by V8 (another Node, or other V8 flags)\n',
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe(input);
  });
});
