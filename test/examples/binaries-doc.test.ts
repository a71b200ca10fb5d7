import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// docs/binaries.md's examples run as pasted, in order, in an empty folder, with a clone's
// node_modules/.bin on PATH as the page says: its first block makes every file the others read.
// So no example reads a file the page never says how to make (users.mft, events.tsv, ...), or
// the terminal.

const page = readFileSync(join(root, 'docs', 'binaries.md'), 'utf8');
const blocks = [...page.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

describe('docs/binaries.md', () => {
  it('has its examples in sh blocks, the files they read made first', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    expect(blocks[0]).toContain('manifold table build users.tsv');
  });

  it('runs each example as pasted, each line a success with output', () => {
    const cwd = tempDir('manifold-binaries-doc-');
    const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:/usr/bin:/bin` };
    const lines = blocks.flatMap((block, i) =>
      i === 0 ? [block] : block.split('\n').filter((line) => line.trim() !== ''),
    );
    const said = lines.map((line) => {
      // A line of a pipe succeeds when each of its commands does.
      const result = spawnSync('bash', ['-o', 'pipefail', '-c', line], {
        cwd,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 30_000,
      });
      // Output, or a file written (`> lines.frames`).
      const wrote = result.stdout !== '' || / > [\w.]+/.test(line);
      return { line, status: result.status, stderr: result.stderr, wrote };
    });
    expect(said).toEqual(
      lines.map((line) => ({
        line,
        status: 0,
        stderr: line.includes('manifold table build')
          ? expect.stringMatching(/^manifold: built users\.mft: 2 records/)
          : '',
        wrote: true,
      })),
    );
  });
});
