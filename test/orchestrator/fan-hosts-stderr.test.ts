import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { useTestHosts } from '../support/sshd.js';
import { tempDir } from '../support/temp.js';

// A worker's stderr on a host comes back whole. The host's end of an instance went out before
// the last of its stderr, which its stream still queued behind a slow ssh: the coordinator had
// done with the instance, and that tail (thousands of lines) was lost, exit 0. Seen with
// manifold's stderr a file, as `2>err` gives it (a pipe read by the test hid it).

const test = useTestHosts(1);

/** The lines 1..n, each once per instance, sorted as numbers. */
const expected = (instances: number, n: number) =>
  Array.from({ length: n * instances }, (_, i) => Math.floor(i / instances) + 1).join('\n');

const quoted = (words: string[]) =>
  words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');

describe("manifold fan --host: a worker's stderr", () => {
  for (const how of [['--per-block'], ['--dispatch', 'round-robin']]) {
    const instances = how[0] === '--per-block' ? 8 : 4;
    it(`comes back whole, ${instances} workers writing 100,000 lines each, into a file, four runs`, async () => {
      const err = join(tempDir(), 'err');
      const job = [manifold, 'fan', '--ssh', test.ssh, '--host', 'h1/4', '-N', '1', ...how];
      const command = ['--', 'sh', '-c', 'cat >/dev/null; seq 1 100000 >&2'];
      for (let round = 0; round < 4; round++) {
        const line = `seq 8 | ${quoted([...job, ...command])} >/dev/null 2>${quoted([err])}`;
        const result = await run('/bin/sh', ['-c', line], '');
        expect(result.exitCode).toBe(0);
        const lines = readFileSync(err, 'utf8').trimEnd().split('\n');
        expect(lines.length, `round ${round + 1}`).toBe(100000 * instances);
        expect(
          lines
            .map(Number)
            .sort((a, b) => a - b)
            .join('\n'),
        ).toBe(expected(instances, 100000));
      }
    });
  }
});
