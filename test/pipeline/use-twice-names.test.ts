import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A pipeline used at two places gave its stages the same names at both: a failure said `stage s
// (...) exited with status 3`, not which use; --stats had two stages `s` and their edges twice
// alike; graph drew two boxes of one name (QA). Its stages are now named by the use that made
// them; a pipeline used once keeps its own names.

const pipelines = { p: [{ name: 's', run: 'cat >/dev/null; exit $X' }] };

describe('a pipeline used at several places', () => {
  it('each use’s stages are named by it: in a failure, in --stats, in graph', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      pipelines,
      stages: [
        {
          branches: { a: [{ use: 'p', env: { X: '0' } }], b: [{ use: 'p', env: { X: '3' } }] },
          combine: 'concat',
        },
      ],
    });
    const stats = join(dir, 'stats.json');
    const result = await runConfig(config, '1\n', { args: ['--stats', stats] });
    expect([result.exitCode, result.stderr]).toEqual([
      1,
      'manifold: stage stages[0].branches.b[0]/s (cat >/dev/null; exit $X) exited with status 3\n',
    ]);
    const doc = JSON.parse(readFileSync(stats, 'utf8')) as { stages: { stage: string }[] };
    expect(doc.stages.map((s) => s.stage)).toEqual([
      'stages[0]',
      'stages[0].branches.a[0]/s',
      'stages[0].branches.b[0]/s',
      'stages[0].concat',
    ]);
    const graph = await run(manifold, ['graph', config]);
    expect(graph.stdout.toString()).toContain('"stages[0].branches.a[0]/s: cat');
    expect(graph.stdout.toString()).toContain('"stages[0].branches.b[0]/s: cat');
  });

  it('a pipeline used once keeps its own names', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { pipelines, stages: [{ use: 'p', env: { X: '3' } }] });
    const result = await runConfig(config, '1\n');
    expect([result.exitCode, result.stderr]).toEqual([
      1,
      'manifold: stage s (cat >/dev/null; exit $X) exited with status 3\n',
    ]);
  });
});
