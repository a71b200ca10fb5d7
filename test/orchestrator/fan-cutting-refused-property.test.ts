import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { HANG_MS, SEED } from '../support/property.js';
import { finish, hasStackTrace } from '../support/spawn.js';
import { makeDir } from '../support/temp.js';

// Randomized refusals of the fan's cutting options (fan-cutting-property draws the accepted
// combinations): two options that cannot go together, in either order, beside a framing, -j
// and stdin a pipe or a file, are refused in one line that names both, exit 2, nothing on
// stdout, never a stack trace nor a hang. Seeded as the fan's properties are (MANIFOLD_SEED).

const RUNS = Number(process.env.MANIFOLD_RUNS ?? 1);

const FRAMINGS = ['lines', 'nul', 'delim:\\x1e', 'lines:2', 'lines:3'];

/** Two options that cannot go together, and the names the refusal must say. */
const REFUSED: { args: string[]; names: [string, string]; framed?: boolean }[] = [
  { args: ['-N', '2', '--block', '10'], names: ['-N', '--block'] },
  { args: ['-N', '2', '--dispatch', 'hash'], names: ['-N', '--dispatch hash'] },
  { args: ['-N', '2', '--group-by', 'whole'], names: ['-N', '--group-by'] },
  {
    args: ['--group-by', 'field:1', '--dispatch', 'hash'],
    names: ['--group-by', '--dispatch hash'],
  },
  { args: ['--group-by', 'whole', '--field-sep', ':'], names: ['--group-by', '--field-sep'] },
  { args: ['--cat', '--one-to-one'], names: ['--cat', '--one-to-one'] },
  { args: ['--cat', '--protocol', 'manifold'], names: ['--cat', '--protocol'] },
  { args: ['--fifo', '--threads'], names: ['--fifo', '--threads'] },
  { args: ['--cat', '--fifo'], names: ['--cat', '--fifo'] },
  { args: ['--per-block', '--one-to-one'], names: ['--per-block', '--one-to-one'] },
  {
    args: ['--merge', 'ordered', '--dispatch', 'broadcast'],
    names: ['--merge ordered', 'broadcast'],
  },
  { args: ['--merge', 'ordered', '--dispatch', 'hash'], names: ['--merge ordered', 'hash'] },
  { args: ['-L', '2', '--split', 'nul'], names: ['-L', '--split nul'], framed: true },
  { args: ['-L', '2', '-0'], names: ['-L', '--null'], framed: true },
  {
    args: ['--recstart', '>', '--split', 'lines'],
    names: ['--recstart', '--split lines'],
    framed: true,
  },
  { args: ['--recend', 'x', '-0'], names: ['--recend', '-0'], framed: true },
  { args: ['-0', '--split', 'lines'], names: ['--null', '--split lines'], framed: true },
  {
    args: ['--recstart', '>', '--one-to-one'],
    names: ['--recstart', '--one-to-one'],
    framed: true,
  },
  {
    args: ['--recend', '\\n', '--recstart', '>', '--tag'],
    names: ['--recstart', '--tag'],
    framed: true,
  },
];

const refusals = fc.record({
  refused: fc.constantFrom(...REFUSED),
  framing: fc.constantFrom(...FRAMINGS),
  workers: fc.integer({ min: 1, max: 3 }),
  first: fc.boolean(),
  file: fc.boolean(),
});

describe('fan cutting options refused together', () => {
  it(
    'in one line naming both, exit 2, nothing written, never a stack trace nor a hang',
    async () => {
      const seed = SEED + 41;
      await fc.assert(
        fc.asyncProperty(refusals, async ({ refused, framing, workers, first, file }) => {
          const { dir, remove } = makeDir('manifold-cut-refused-');
          try {
            const base = ['-j', String(workers), ...(refused.framed ? [] : ['--split', framing])];
            const options = first ? [...refused.args, ...base] : [...base, ...refused.args];
            const input = join(dir, 'input');
            writeFileSync(input, 'a:1\nb:2\n');
            const child = spawn(manifold, ['fan', ...options, '--', 'cat'], {
              stdio: [file ? openSync(input, 'r') : 'pipe', 'pipe', 'pipe'],
            });
            child.stdin?.end('a:1\nb:2\n');
            const result = await finish(child, HANG_MS);
            const said = `manifold fan ${options.join(' ')} -- cat: exit ${result.exitCode}, ${JSON.stringify(result.stderr)}`;
            expect(result.hung, said).toBe(false);
            expect(hasStackTrace(result.stderr), said).toBe(false);
            expect([result.exitCode, result.stdout.length], said).toEqual([2, 0]);
            expect(result.stderr, said).toMatch(/^manifold: [^\n]+\n$/);
            for (const name of refused.names) expect(result.stderr, said).toContain(name);
          } finally {
            remove();
          }
        }),
        { seed, numRuns: Math.max(1, Math.round(12 * RUNS)) },
      );
    },
    (Math.round(12 * RUNS) + 1) * HANG_MS + 15_000,
  );
});
