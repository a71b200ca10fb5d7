import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { fan } from '../support/fan-run.js';
import { linesOf, numbered } from '../support/lines.js';

// A thread requires a filter module that is CommonJS for certain (a `.cjs` file, or a `.js` one
// whose package.json says "type": "commonjs", as this package's binaries: build.mjs), and
// imports any other: required, the thread never loads Node's ES module loader, which costs it
// tens of milliseconds of CPU (orchestrator/workers/thread/module.ts). NODE_DEBUG=esm makes that
// loader say each module it loads, on stderr: none may be said for mf-map.

const input = numbered(1, 2000, 'line ');
const esmLines = (stderr: string) => stderr.split('\n').filter((line) => /^ESM \d+:/.test(line));

describe('--threads: the filter module required or imported', () => {
  for (const [how, extra] of [
    ['booted while manifold loads', []],
    ['started at the claim (--thread-heap)', ['--thread-heap', '256M']],
  ] as const) {
    it(`mf-map (CommonJS) is required, ${how}: no ES module loaded`, async () => {
      const result = await fan(
        [
          '-j',
          '2',
          '--threads',
          ...extra,
          '--block',
          '4K',
          '--merge',
          'ordered',
          '--',
          'mf-map',
          'r.toUpperCase()',
        ],
        input,
        { env: { NODE_DEBUG: 'esm' } },
      );
      expect({ exitCode: result.exitCode, esm: esmLines(result.stderr) }).toEqual({
        exitCode: 0,
        esm: [],
      });
      expect(result.stdout.toString()).toBe(input.toUpperCase());
    });
  }

  it('an ES module filter is imported, as before (the probe sees the loader)', async () => {
    const result = await fan(['-j', '1', '--threads', '--', fixture('thread-context.js')], input, {
      env: { NODE_DEBUG: 'esm' },
    });
    expect(result.exitCode).toBe(0);
    expect(esmLines(result.stderr).length).toBeGreaterThan(0);
    expect(linesOf(result.stdout).slice(0, -1)).toEqual(linesOf(input));
  });

  // The thread said "not an SDK filter" as soon as the module had loaded, before the .then
  // that calls .main() had run: such a filter ran alone and under --protocol, not as a thread.
  it('a CommonJS filter that calls .main() once its import() of the SDK resolves runs', async () => {
    for (const how of [['--threads'], ['--protocol', 'manifold'], []]) {
      const result = await fan(
        ['-j', '2', ...how, '--merge', 'ordered', '--', fixture('upper-later.cjs')],
        input,
      );
      expect({ how, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        how,
        exitCode: 0,
        stderr: '',
      });
      expect(result.stdout.toString()).toBe(input.toUpperCase());
    }
  });
});
