import { describe, expect, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A thread's heap below what any SDK filter starts in (measured: the identity filter needs
// 6 MiB) is refused at start, not failed block by block at run time, under manifold fan's
// flag and under manifold run's key alike; the floor is docs/fan.md's (8 MiB).

describe('--thread-heap has a floor', () => {
  it.each([
    ['1K', '1K'],
    ['7M', '7M'],
  ])(
    '--thread-heap %s is refused at start, naming the value and the floor',
    async (value, shown) => {
      const result = await fan(['--threads', '--thread-heap', value, '--', 'mf-map', 'r'], 'a\n');
      expect(outcome(result)).toEqual({
        exitCode: 2,
        stderr: `manifold: --thread-heap ${shown} is below the 8M a thread needs to run a filter (see docs/fan.md, threads, and 'manifold fan --help')\n`,
        stdout: '',
      });
    },
  );

  it('--thread-heap 8M, the floor, runs', async () => {
    const result = await fan(['--threads', '--thread-heap', '8M', '--', 'mf-map', 'r'], 'a\nb\n');
    expect(outcome(result)).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'a\nb\n',
    });
  });

  it("manifold run's thread-heap: is refused by its key", async () => {
    const text = `stages:\n  - name: s\n    fan:\n      workers: 1\n      thread-heap: 1K\n      worker: {run: [mf-map, r], threads: true}\n`;
    const config = writeConfig(tempDir('manifold-heap-floor-'), text);
    const result = outcome(await runConfig(config, 'a\n', {}));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /thread-heap 1K is below the 8M a thread needs to run a filter \(see docs\/fan\.md, threads\)\n$/,
    );
    expect(result.stderr.split('\n').length).toBe(2);
    expect(result.stderr).not.toContain('--thread-heap');
  });
});
