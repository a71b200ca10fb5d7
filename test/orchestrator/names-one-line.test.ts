import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { tempDir } from '../support/temp.js';

// A file named with a newline broke a message's place over two lines (`in` / `put.txt:2:
// record is larger ...`, `block 1 (b` / `x.txt:1-2)`): a place's name with a control character
// is said as bash takes it back, `$'in\nput.txt'`, and the message stays one line (QA).

describe('a place in a file whose name has a newline', () => {
  it('a record too large, and a block across two files: one line each', async () => {
    const dir = tempDir('manifold-names-');
    mkdirSync(join(dir, 'd'));
    const odd = join(dir, 'd', 'in\nput.txt');
    writeFileSync(odd, 'aaaaaaaaaaaaa\nb\n');
    const plain = join(dir, 'd', 'b.txt');
    writeFileSync(plain, 'c\n');
    const quoted = `$'${odd.replace('\n', '\\n')}'`;
    const large = await fan(['--max-record', '5', '--input', odd, '--', 'cat']);
    expect([large.exitCode, large.stderr]).toEqual([
      1,
      `manifold: ${quoted}:1: record is larger than the maximum record size 5 B (13 B); raise it with --max-record\n`,
    ]);
    const args = ['-j', '1', '--block', '1K', '--per-block', '--input', plain, '--input', odd];
    const failed = await fan([...args, '--shell', '--', 'cat > /dev/null; exit 3']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toBe(
      `manifold: worker 1 (pid ${/pid (\d+)/.exec(failed.stderr)?.[1]}: cat > /dev/null; exit 3) exited with status 3 on block 1 (${plain}:1, ${quoted}:1-2)\n`,
    );
  });
});

// A worker's words with a control character were written raw in its description (a carriage
// return hid the line's start; a newline became a blank), and the shell hint spanned two lines,
// and came for a one-word program with a blank in its name that had been found and had run (QA).
describe('a worker command whose words have control characters or blanks', () => {
  it('said as bash takes them back, on one line; no shell hint for a program that ran', async () => {
    const dir = tempDir('manifold-names-');
    const script = '#!/bin/sh\ncat > /dev/null; exit 3\n';
    for (const name of ['f ail.sh', 'f\nail.sh'])
      writeFileSync(join(dir, name), script, { mode: 0o755 });
    const cr = await fan(['-j', '1', '--', join(dir, 'f ail.sh'), 'a\rHIDDEN'], 'x\n');
    expect(cr.stderr).toMatch(
      /^manifold: worker 1 \(pid \d+: .*\/f ail\.sh \$'a\\rHIDDEN'\) exited with status 3; it had been given block 1 \(bytes 1-2\)\n$/,
    );
    const newline = await fan(['-j', '1', '--', join(dir, 'f\nail.sh')], 'x\n');
    expect(newline.stderr).toMatch(
      /^manifold: worker 1 \(pid \d+: \$'.*\/f\\nail\.sh'\) exited with status 3; it had been given block 1 \(bytes 1-2\)\n$/,
    );
    const missing = await fan(['-j', '1', '--', './no\nsuch'], 'x\n');
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain(`add --shell: manifold fan --shell -- $'./no\\nsuch')`);
  });
});
