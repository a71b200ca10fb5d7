import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold, root } from '../helpers.js';
import { fileTempDir } from '../support/temp.js';

const folder = fileTempDir('manifold-examples-');

/**
 * Each example: generate its data, run its pipeline with manifold, run the same job as a plain
 * sequential shell pipeline, and compare the two outputs byte for byte.
 */
const examples: { name: string; data: string; args: string[] }[] = [
  { name: 'access-log', data: 'access.log', args: ['60000'] },
  { name: 'word-frequency', data: 'book.txt', args: ['120000'] },
  { name: 'ndjson-etl', data: 'events.ndjson', args: ['40000'] },
  { name: 'set-difference', data: 'activity.txt', args: ['80000'] },
  { name: 'binary-frames', data: 'samples.frames', args: ['600', '800'] },
];

describe.concurrent('examples', () => {
  for (const { name, data, args } of examples) {
    it(`${name}: manifold run gives what the sequential pipeline gives`, async () => {
      const cwd = join(root, 'examples', name);
      const input = join(folder, `${name}-${data}`);
      await execa('bash', ['-c', `node generate.mjs ${args.join(' ')} > '${input}'`], { cwd });
      const piped = await execa(
        'node',
        [manifold, 'run', 'pipeline.yaml', '--set', `INPUT=${input}`],
        {
          cwd,
          encoding: 'buffer',
          stripFinalNewline: false,
        },
      );
      const sequential = await execa('bash', ['sequential.sh', input], {
        cwd,
        encoding: 'buffer',
        stripFinalNewline: false,
      });
      expect(Buffer.from(piped.stderr).toString()).toBe('');
      expect(Buffer.from(piped.stdout).length).toBeGreaterThan(100);
      expect(Buffer.from(piped.stdout).equals(Buffer.from(sequential.stdout))).toBe(true);
    });

    it(`${name}: the config checks clean and draws`, async () => {
      const cwd = join(root, 'examples', name);
      const check = await execa(
        'node',
        [manifold, 'check', 'pipeline.yaml', '--set', 'INPUT=/dev/null'],
        {
          cwd,
          reject: false,
        },
      );
      expect({ code: check.exitCode, stderr: check.stderr }).toEqual({ code: 0, stderr: '' });
      const graph = await execa(
        'node',
        [manifold, 'graph', 'pipeline.yaml', '--set', 'INPUT=/dev/null'],
        { cwd },
      );
      expect(graph.stdout).toMatch(/^flowchart LR\n/);
    });
  }
});
