import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A first fan given several input files reads them itself, as `manifold fan --input a --input b`
// does: their sizes known, `block: -1` divides them; `cat`'s pipe between had refused it at run
// time ("this input is a pipe or a stream"), after `manifold check` had passed it.

function files(dir: string): void {
  writeFileSync(join(dir, 'a.txt'), numbered(1, 500));
  writeFileSync(join(dir, 'b.txt'), numbered(501, 1000));
}

describe('a first fan given several input files', () => {
  for (const input of ['[a.txt, b.txt]', '"*.txt"']) {
    it(`input: ${input}, block: -1: check and run agree, every record in order`, async () => {
      const dir = tempDir();
      files(dir);
      const config = writeConfig(
        dir,
        `input: ${input}\nstages:\n  - fan: {workers: 2, block: -1, merge: ordered, worker: cat}\n  - run: cat\n`,
      );
      expect((await run(manifold, ['check', config])).exitCode).toBe(0);
      expect(outcome(await runConfig(config))).toEqual({
        exitCode: 0,
        stderr: '',
        stdout: numbered(1, 1000),
      });
    });
  }

  it("names each file in a failed block's message", async () => {
    const dir = tempDir();
    files(dir);
    const config = writeConfig(
      dir,
      'input: [a.txt, b.txt]\nstages:\n  - fan: {workers: 1, block: -1, worker: "cat; exit 3"}\n',
    );
    const result = await runConfig(config);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/a\.txt:1-500, .*b\.txt:1-500\)\n$/);
  });
});
