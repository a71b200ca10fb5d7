import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// A config's output that is a named pipe whose reader goes away: the run ended 0, as if all
// was written, where `yes > fifo` in a shell, its reader gone, dies of SIGPIPE (141), and where
// `manifold run x.yaml | head -1` ends 141. Now the FIFO ends the run as the pipe does.

describe('output: a named pipe whose reader goes away', () => {
  it.each([
    ['a named pipe', 'fifo', `"$0" run "$1" & head -n 1 "$2" > /dev/null; wait $!; echo $?`],
    ['stdout, | head', undefined, `"$0" run "$1" | head -n 1 > /dev/null; echo \${PIPESTATUS[0]}`],
  ])('%s: the run ends 141, as the shell’s writer does', (_kind, fifoName, script) => {
    const dir = tempDir();
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const config = writeConfig(dir, {
      input: fileWith('manifold-fifo-gone-', 'a\n'),
      ...(fifoName === undefined ? {} : { output: fifo }),
      stages: [{ run: 'yes' }],
    });
    const result = spawnSync('bash', ['-c', script, manifold, config, fifo], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect({ stdout: result.stdout, stderr: result.stderr }).toEqual({
      stdout: '141\n',
      stderr: '',
    });
  });
});
