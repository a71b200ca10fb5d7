import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A last-stage fan that cannot write the config's output names that output, as the merge of
// branches does: it said `cannot write stdout`, of a stdout it was never given.

describe("a last-stage fan that cannot write the config's output", () => {
  for (const merge of ['ordered', 'ready']) {
    it(`merge: ${merge}: names the output, exit 1`, async () => {
      const dir = tempDir();
      const config = writeConfig(
        dir,
        `output: /dev/full\nstages:\n  - fan: {merge: ${merge}, worker: cat}\n`,
      );
      const result = await runConfig(config, numbered(1, 100_000));
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 1,
        stderr:
          'manifold: stage stages[0]: cannot write /dev/full: no space left on device (ENOSPC)\n',
      });
    });
  }
});
