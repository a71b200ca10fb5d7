import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// docs/fan.md's examples run as pasted, in order, in one folder made as the page says: its
// first sh block makes the small files the others read, after tables.md's first block and its
// SDK example saved as enrich.mjs. So an example that reads a file the page never makes, a
// synopsis in an sh block (bash would run `<command>`), or an enrich.mjs that opens the TSV
// table, whose values getJSON refuses, fails here. Left out: the queue example (a nats-server:
// queue tests run it) and
// the hosts example (other machines).

const read = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');
const fenced = (page: string, lang: string) =>
  [...page.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);
const blocks = fenced(read('fan.md'), 'sh');
const tables = read('tables.md');
const env = { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:/usr/bin:/bin` };

function runBlock(cwd: string, block: string) {
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', block], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

describe('docs/fan.md', () => {
  it('runs each example as pasted, each a success with output', () => {
    const cwd = tempDir('manifold-fan-doc-');
    mkdirSync(join(cwd, 'node_modules'));
    symlinkSync(root, join(cwd, 'node_modules', 'manifold-pipes'));
    expect(runBlock(cwd, fenced(tables, 'sh')[0]!).status).toBe(0);
    const enrich = fenced(tables, 'js').find((block) => block.includes("name: 'enrich'"))!;
    writeFileSync(join(cwd, 'enrich.mjs'), enrich);
    chmodSync(join(cwd, 'enrich.mjs'), 0o755);

    expect(blocks[0]).toContain('> app.log');
    const made = runBlock(cwd, blocks[0]!);
    expect(made.status).toBe(0);
    for (const file of ['users.mft', 'users4.mft', 'users.ndjson.mft', 'big.txt', 'in.csv']) {
      expect(existsSync(join(cwd, file))).toBe(true);
    }
    const examples = blocks.slice(1).filter((block) => !/--queue |--host /.test(block));
    expect(examples.length).toBeGreaterThanOrEqual(8);
    const said = examples.map((block) => {
      const { status, stderr, stdout } = runBlock(cwd, block);
      // Output, or a file written (`> sorted.txt`, `'cat > part-...'`).
      return { block, status, stderr, wrote: stdout !== '' || / > [\w.$-]+/.test(block) };
    });
    expect(said).toEqual(examples.map((block) => ({ block, status: 0, stderr: '', wrote: true })));
    expect(readFileSync(join(cwd, 'sorted.txt'), 'utf8').split('\n').length).toBe(200_001);
  }, 300_000);
});
