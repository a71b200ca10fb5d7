import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// run() writing into process.stdout, a pipe whose reader goes (`| head -1`): the stream's EPIPE
// is a reader gone, manifold.outputClosed, as it is for fan and for an output given as the
// descriptor 1, not a failure of the run (manifold.failure, `cannot write the output: write
// EPIPE`).

describe('run: process.stdout as the output, its reader gone', () => {
  it('rejects with manifold.outputClosed, as fan does and as the descriptor 1 does', async () => {
    const file = join(tempDir(), 'script.mjs');
    const entry = join(root, 'dist/bundle/index.js');
    writeFileSync(
      file,
      [
        `import { fan, run } from ${JSON.stringify(entry)};`,
        'const said = [];',
        'const calls = {',
        "  'run, process.stdout': () => run({ stages: [{ run: 'yes' }] }, { input: '/dev/null', output: process.stdout }),",
        "  'run, 1': () => run({ stages: [{ run: 'yes' }] }, { input: '/dev/null', output: 1 }),",
        "  'fan, process.stdout': () => fan({ command: 'yes', workers: 1 }, { input: ['/etc/hostname'], output: process.stdout }),",
        '};',
        'for (const [name, call] of Object.entries(calls)) {',
        "  try { await call(); said.push(name + ': resolved'); } catch (error) { said.push(name + ': ' + error.code); }",
        '}',
        "process.stderr.write(said.join('\\n'));",
      ].join('\n'),
    );
    const result = await execa('bash', ['-c', 'node "$0" | head -c 1 >/dev/null', file], {
      reject: false,
      timeout: 30_000,
    });
    expect({ stderr: result.stderr, timedOut: result.timedOut }).toEqual({
      stderr: [
        'run, process.stdout: manifold.outputClosed',
        'run, 1: manifold.outputClosed',
        'fan, process.stdout: manifold.outputClosed',
      ].join('\n'),
      timedOut: false,
    });
  });
});
