import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// What a fan stage of `manifold run` says as it runs names its stage and the config's keys
// (`halt: soon`, `merge: sorted`), as the check's problems do, not manifold fan's flags.

/** A config of one fan stage named s, `fan` its keys (YAML lines), run on `input`. */
async function runFan(fan: string[], input: string, args: string[] = []) {
  const text = `stages:\n  - name: s\n    fan:\n${fan.map((line) => `      ${line}\n`).join('')}`;
  const result = await runConfig(writeConfig(tempDir('manifold-fan-messages-'), text), input, {
    args,
  });
  return outcome(result);
}

const pid = String.raw`pid \d+`;

describe("a fan stage's messages as it runs", () => {
  it('a block tried again (said under --verbose) names its stage: it was said without it', async () => {
    const result = await runFan(
      ['workers: 1', 'retries: 1', 'worker: "cat >/dev/null; exit 3"'],
      'a\n',
      ['--verbose'],
    );
    expect(result.exitCode).toBe(1);
    const failures = result.stderr.split('\n').filter((line) => line.includes('exited'));
    expect(failures).toEqual([
      expect.stringMatching(
        new RegExp(
          `^manifold: stage s: worker 1 \\(${pid}: cat >/dev/null; exit 3\\) exited with status 3 on block 1 \\(records 1-1\\); trying again \\(1 of 1\\)$`,
        ),
      ),
      expect.stringMatching(
        /^manifold: stage s: worker 1 .* exited with status 3 on block 1 \(records 1-1\); tried 2 times$/,
      ),
    ]);
  });

  it('halt: soon acting is named as the config writes it: it was --halt soon', async () => {
    const result = await runFan(
      ['workers: 1', 'halt: soon', 'worker: "cat >/dev/null; exit 3"'],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'manifold: stage s: halt: soon: a block failed; starting no more blocks, letting the running ones finish\n',
    );
    expect(result.stderr).not.toContain('--');
  });

  it('merge: sorted given unsorted output is named as the config writes it: it was --merge sorted', async () => {
    const result = await runFan(
      ['workers: 1', 'merge: sorted', 'worker: "printf \'2\\n1\\n\'"'],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /: not sorted by the key: .*merge: sorted needs every worker to write sorted output\n$/,
    );
    expect(result.stderr).not.toContain('--');
  });

  it('attribution: one-to-one broken is named as the config writes it: it was --one-to-one', async () => {
    const result = await runFan(
      ['workers: 1', 'attribution: one-to-one', 'worker: "cat; echo extra"'],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: stage s: worker 1 \(pid \d+: cat; echo extra\) wrote more records than it read: its output goes on past block 1 \(records 1-1\), the last it was given, which attribution: one-to-one forbids\n$/m,
    );
  });

  it('--verbose names the stage and the keys: it named neither', async () => {
    const result = await runFan(['workers: 2', 'merge: sorted', 'worker: cat'], 'a\nb\n', [
      '--verbose',
    ]);
    expect(result.exitCode).toBe(0);
    const notes = result.stderr.split('\n').filter((line) => line.includes('merges'));
    expect(notes).toEqual([expect.stringMatching(/^manifold: stage s: merge: sorted: /)]);
  });

  it("a first fan reading the config's one input file names it, in --verbose and at a record: it said stdin and input", async () => {
    const dir = tempDir('manifold-fan-messages-');
    const data = join(dir, 'in.txt');
    writeFileSync(data, 'a\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n');
    const text = (fan: string) =>
      `input: in.txt\nstages:\n  - name: s\n    fan: {workers: 2, worker: cat${fan}}\n`;
    const verbose = outcome(
      await runConfig(writeConfig(dir, text('')), '', { args: ['--verbose'] }),
    );
    expect(verbose.exitCode).toBe(0);
    expect(verbose.stderr).toContain(`manifold: stage s: input: ${data} is read as byte ranges`);
    const big = outcome(await runConfig(writeConfig(dir, text(', max-record: 10')), ''));
    expect(big.stderr).toBe(
      `manifold: stage s: ${data}:2: record is larger than the maximum record size 10 B (32 B); raise it with max-record\n`,
    );
    expect(big.exitCode).toBe(1);
  });
});
