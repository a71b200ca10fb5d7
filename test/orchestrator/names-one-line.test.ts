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
