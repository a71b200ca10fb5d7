import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// A stage killed by SIGPIPE is forgiven when the stage after it had stopped reading (`yes |
// head -1`): not when the pipe gone was its stderr's, manifold's stderr whose reader had left.

const tempDir = () => makeTempDir('manifold-pipe-stderr-');

/** `manifold run <config>` with a stderr that is a pipe whose reader has already gone. */
const runStderrGone = (config: string) =>
  run(
    'perl',
    [
      '-e',
      'pipe(my $r, my $w) or die; close $r; open(STDERR, ">&", $w) or die; close $w; exec @ARGV or die',
      'node',
      manifold,
      'run',
      config,
    ],
    '',
    { cwd: tempDir(), timeout: 20_000 },
  );

const config = (dir: string, middle: string) =>
  writeConfig(
    dir,
    [
      'output: out.txt',
      'stages:',
      '  - run: seq 1 100000',
      '  - name: middle',
      `    run: ${middle}`,
      '  - run: wc -l',
      '',
    ].join('\n'),
  );

describe("a middle stage killed by SIGPIPE by its stderr's reader gone", () => {
  it('fails the run, the output file kept: it was forgiven, exit 0, the file replaced by "0"', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old\n');
    const file = config(dir, `awk '{ print; print "seen " $0 > "/dev/stderr" }'`);
    const result = await runStderrGone(file);
    // Its failure's line has no reader either: the exit status says it, and the file is kept.
    expect({ code: result.exitCode, signal: result.signal }).toEqual({
      code: 1,
      signal: undefined,
    });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('old\n');
  });

  it('a stage that writes nothing to stderr runs as ever with that stderr', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.txt'), 'old\n');
    const result = await runStderrGone(config(dir, 'cat'));
    expect({ code: result.exitCode, signal: result.signal }).toEqual({
      code: 0,
      signal: undefined,
    });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('100000\n');
  });
});
