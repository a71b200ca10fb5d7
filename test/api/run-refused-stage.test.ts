import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// A stage refused as the run wires it (a fan of more workers than `ulimit -n` allows) leaves
// the descriptors it was to take, and those of the stages after it, to the run: they are
// closed, so that nothing waits on them. Before, run() in the library never settled: its copy
// of the output waited for the end of a pipe whose write end nobody closed (the CLI exits, and
// so did not hang).

describe('run: a stage refused as it starts', () => {
  it('rejects with manifold.usage, every descriptor given back: it never settled', async () => {
    const file = join(tempDir(), 'script.mjs');
    const entry = join(root, 'dist/bundle/index.js');
    writeFileSync(
      file,
      [
        `import { run } from ${JSON.stringify(entry)};`,
        "import { Writable } from 'node:stream';",
        'const output = new Writable({ write: (_c, _e, done) => done() });',
        'try {',
        "  await run({ stages: [{ run: 'cat' }, { fan: { workers: 400, worker: 'cat' } }, { run: 'cat' }] }, { input: '/dev/null', output });",
        "  console.log('resolved');",
        '} catch (error) {',
        '  console.log(error.code);',
        '}',
      ].join('\n'),
    );
    const result = await execa('bash', ['-c', 'ulimit -n 300; exec node "$0"', file], {
      reject: false,
      timeout: 20_000,
    });
    expect({ stdout: result.stdout, timedOut: result.timedOut }).toEqual({
      stdout: 'manifold.usage',
      timedOut: false,
    });
  });
});
