import { describe, expect, it } from 'vitest';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A stage of `grep` that selects nothing exits 1 and fails the run. `manifold fan` says why in a
// hint (cli/shell-hint.ts); `manifold run` said only the stage's status. It says the hint too, in
// the config's words: a fan's `ok-status`, a stage's command line. The hint given is then
// pasted into the config: the run must pass.

/** Runs the stages (YAML lines under `stages:`) on `a\n`. */
async function runStages(stages: string[]) {
  const config = writeConfig(
    tempDir('manifold-grep-hint-'),
    ['input: "-"', 'stages:', ...stages, ''].join('\n'),
  );
  return outcome(await runConfig(config, 'a\n'));
}

const HINT = 'manifold: hint: grep exits 1 when it selects nothing; for that not to fail the run, ';

describe('manifold run: a hint for grep, whose status 1 means it selected nothing', () => {
  it("a command line: its stage's ok-status, which then passes", async () => {
    // The hint adds ok-status to the stage, rather than rewriting its command line as
    // "grep zzz || [ $? -eq 1 ]".
    const failed = await runStages(['  - run: grep zzz', '  - run: cat']);
    expect(failed).toEqual({
      exitCode: 1,
      stderr:
        'manifold: stage stages[0] (grep zzz) exited with status 1\n' +
        `${HINT}add ok-status: [0, 1] to stage stages[0]\n`,
      stdout: '',
    });
    expect(await runStages(['  - run: grep zzz', '    ok-status: [0, 1]', '  - run: cat'])).toEqual(
      { exitCode: 0, stderr: '', stdout: '' },
    );
  });

  it("an array, named: the stage's name", async () => {
    const failed = await runStages(['  - name: pick', '    run: [grep, "a b"]']);
    expect(failed.stderr).toBe(
      'manifold: stage pick (grep a b) exited with status 1\n' +
        `${HINT}add ok-status: [0, 1] to stage pick\n`,
    );
    expect(failed.exitCode).toBe(1);
  });

  it("a fan: its ok-status, as manifold fan's --ok-status, which then passes", async () => {
    const fan = (extra: string) => [
      '  - name: pick',
      `    fan: { workers: 1, worker: "grep zzz"${extra} }`,
    ];
    const failed = await runStages(fan(''));
    expect(failed.exitCode).toBe(1);
    const lines = failed.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^manifold: stage pick: worker 1 .* exited with status 1/),
      `${HINT}add ok-status: [0, 1] to the fan of stage pick`,
    ]);
    expect(await runStages(fan(', ok-status: [0, 1]'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: '',
    });
  });

  it('none where the status is not 1, or the program that gave it is no grep', async () => {
    const [two, other, shell] = await Promise.all([
      runStages(['  - run: [grep, -E, "("]']),
      runStages(['  - run: "grep a | false"']),
      runStages(['  - fan: { workers: 1, worker: "grep a | false" }']),
    ]);
    for (const result of [two, other, shell]) {
      expect(result.exitCode).toBe(1);
      expect(result.stderr).not.toContain('hint');
    }
    expect(two.stderr).toContain('exited with status 2');
  });
});
