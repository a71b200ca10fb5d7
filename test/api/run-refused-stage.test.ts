import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// A stage refused as the run wires it (a fan of more workers than `ulimit -n` allows) leaves
// the descriptors it was to take, and those of the stages after it, to the run: they are
// closed, so that nothing waits on them. Left open, run() in the library would never settle:
// its copy of the output would wait for the end of a pipe whose write end nobody closed (the
// CLI exits, and so would not hang). And the library's caller, which runs on, would keep
// descriptors: the read end held for the refused stage's input (witness.ts), and in branches
// the pipes of the branches after the refused one and of the combiner (1 to 9 pipes a call).

const REFUSED = { fan: { workers: 400, worker: 'cat' } };
const SHAPES = {
  'after a command': { stages: [{ run: 'cat' }, REFUSED, { run: 'cat' }] },
  'in a middle branch': {
    stages: [
      { run: 'cat' },
      { branches: { a: [{ run: 'cat' }], b: [REFUSED], c: [{ run: 'cat' }], d: [{ run: 'cat' }] } },
      { run: 'cat' },
    ],
  },
  'in a branch joined': {
    stages: [
      { run: 'cat' },
      {
        branches: { a: [{ run: 'cat' }], b: [REFUSED], c: [{ run: 'cat' }] },
        combine: 'join',
        join: 'cat {a} {b} {c}',
      },
    ],
  },
  'second in a branch': {
    stages: [{ branches: { a: [{ run: 'cat' }, REFUSED, { run: 'cat' }], b: [{ run: 'cat' }] } }],
  },
};

describe('run: a stage refused as it starts', () => {
  it('rejects with manifold.usage, every descriptor given back: it never settled', async () => {
    const file = join(tempDir(), 'script.mjs');
    const entry = join(root, 'dist/bundle/index.js');
    writeFileSync(
      file,
      [
        `import { run } from ${JSON.stringify(entry)};`,
        "import { readdirSync, readlinkSync } from 'node:fs';",
        "import { Writable } from 'node:stream';",
        "const open = () => readdirSync('/proc/self/fd').map((n) => { try { return n + ' ' + readlinkSync('/proc/self/fd/' + n); } catch { return n; } });",
        'const output = () => new Writable({ write: (_c, _e, done) => done() });',
        // What manifold opens once, on its first run, is not a leak of a refused one.
        "await run({ stages: [{ run: 'cat' }] }, { input: '/dev/null', output: output() });",
        `for (const [shape, config] of Object.entries(${JSON.stringify(SHAPES)})) {`,
        '  const before = new Set(open());',
        '  let said = "resolved";',
        "  try { await run(config, { input: '/dev/null', output: output() }); } catch (error) { said = error.code; }",
        '  const left = open().filter((fd) => !before.has(fd) && !fd.endsWith("/proc/self/fd"));',
        '  console.log(shape + ": " + said + ", left open: " + (left.join(", ") || "none"));',
        '}',
      ].join('\n'),
    );
    const result = await execa('bash', ['-c', 'ulimit -n 300; exec node "$0"', file], {
      reject: false,
      timeout: 30_000,
    });
    expect({ stdout: result.stdout, timedOut: result.timedOut }).toEqual({
      stdout: Object.keys(SHAPES)
        .map((shape) => `${shape}: manifold.usage, left open: none`)
        .join('\n'),
      timedOut: false,
    });
  });
});
