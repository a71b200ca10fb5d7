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

// `manifold run c.yaml 2>&1 | head -1`: stdout and stderr one pipe, whose reader goes. Every
// stage's SIGPIPE was blamed on its stderr's reader gone (exit 1), where its output's reader had
// gone first; as manifold fan and bash (pipefail) do, it ends killed by SIGPIPE: 141 (QA).
describe('stdout and stderr one pipe (2>&1), its reader gone', () => {
  it.each([
    ['one stage', ['[seq, "1000000"]']],
    ['two stages', ['[seq, "1000000"]', 'cat']],
    ['three stages', ['[seq, "1000000"]', 'cat', '[cat]']],
  ])('%s: the run ends killed by SIGPIPE (141), as a shell pipeline', async (_, runs) => {
    const dir = tempDir();
    const stages = runs.map((command) => `  - run: ${command}\n`).join('');
    const file = writeConfig(dir, `stages:\n${stages}`);
    const result = await run('bash', [
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's, not JavaScript's.
      '"$@" 2>&1 | head -1; exit ${PIPESTATUS[0]}',
      'bash',
      'node',
      manifold,
      'run',
      file,
    ]);
    expect({ code: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      code: 141,
      stdout: '1\n',
    });
  });
});

// A fan stage that failed, not the last, said so on a stderr whose reader had gone: the write's
// EPIPE stopped the run as a signal would, and it ended 141, read as a reader gone, where a run
// whose stage failed exits 1 (config.md), as when the line is said at the end (QA).
describe('a stage that failed, its line said to a stderr with no reader', () => {
  it.each([
    ['a fan, then a command', ['  - fan: {workers: 1, worker: "exit 5"}', '  - run: cat']],
    ['a command that fails, last', ['  - run: cat', '  - run: "cat >/dev/null; exit 3"']],
  ])('%s: exit 1', async (_, stages) => {
    const file = writeConfig(tempDir(), `stages:\n${stages.join('\n')}\n`);
    const result = await run('bash', [
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's, not JavaScript's.
      'echo x | "$@" 2>&1 | true; exit ${PIPESTATUS[1]}',
      'bash',
      'node',
      manifold,
      'run',
      file,
    ]);
    expect(result.exitCode).toBe(1);
  });
});
