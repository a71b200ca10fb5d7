import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { tempDir, writeConfig } from '../support/temp.js';

// An alias whose anchor is nowhere, or set only below it, was said as an alias bomb, at the
// first alias of the file whichever it was: `Unresolved alias (the anchor must be set before the
// alias): nope (aliases expand to more than 100 nodes)`. Now one line at the alias itself.

describe('an alias that names no anchor above it', () => {
  it.each([
    [
      'no such anchor',
      'x-a: &a {run: cat}\nstages:\n  - *a\n  - *nope\n',
      'pipeline.yaml:4:5: alias *nope names no anchor: set &nope on a node above it',
    ],
    [
      'its anchor set below it',
      'x-a: &a {run: cat}\nstages:\n  - *a\n  - *b\nx-b: &b {run: cat}\n',
      'pipeline.yaml:4:5: alias *b names no anchor: set &b on a node above it',
    ],
  ])('%s: one line at the alias, exit 2', (_name, text, line) => {
    const dir = tempDir();
    writeConfig(dir, text);
    const result = spawnSync(manifold, ['check', 'pipeline.yaml'], { cwd: dir, encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 2,
      stderr: `${line}\n`,
    });
  });
});
