import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// The examples in the --help of run, check and graph named files that were only in the README
// (wordfreq.yaml, top10.yaml, etl.yaml) and a `generate-config` that is nowhere: none ran as
// pasted. Each is run here as pasted, from the repository's root, so that they cannot drift.

function examples(command: string): string[] {
  const help = spawnSync(manifold, command === '' ? ['--help'] : [command, '--help'], {
    encoding: 'utf8',
  }).stdout;
  const section = /\nExamples[^\n]*:\n((?: {2}.*\n)+)/.exec(help)?.[1] ?? '';
  // An example goes on, indented further, on the lines after one ending in | or &&.
  return section
    .split(/\n(?! {4})/)
    .map((example) => example.replace(/\n {4}/g, ' ').trim())
    .filter((example) => example !== '');
}

// `manifold` on PATH, as a user who installed it has it.
const bin = tempDir();
symlinkSync(manifold, join(bin, 'manifold'));

// manifold --help's own example of run too (it read book.txt, which is nowhere, not stdin).
const LINES = [
  ...['run', 'check', 'graph'].flatMap((command) =>
    examples(command).map((line) => [command, line] as const),
  ),
  ...examples('')
    .filter((line) => line.startsWith('manifold run '))
    .map((line) => ['manifold', line] as const),
];

describe('--help examples, run as pasted from the repository root', () => {
  it('each command has some', () => {
    expect(new Set(LINES.map(([command]) => command))).toEqual(
      new Set(['run', 'check', 'graph', 'manifold']),
    );
  });

  it.each(LINES)('%s: %s', (_command, line) => {
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', line], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 0,
      stderr: expect.not.stringMatching(/No such file|not found|cannot/),
    });
  });
});
