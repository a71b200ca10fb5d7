import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// An SDK filter given --help or --version under manifold's block protocol: its help went to
// stdout, the protocol's stream (a process's worker then failed with "wrote output that is not
// manifold's block protocol"), or, in a thread, to stderr once per worker, then "exited with
// status 0 before finishing block 1". Now the filter says in one line that it shows no help
// there, as a usage error (status 2), and nothing of its help is written.

describe('--help and --version of a filter under manifold fan', () => {
  it.each([
    ['--threads', '--help'],
    ['--threads', '--version'],
    ['--protocol manifold', '--help'],
    ['--protocol manifold', '-V'],
  ])('%s -- mf-map %s: one line from the filter, nothing written', async (mode, flag) => {
    const args = ['fan', '-j', '1', ...mode.split(' '), '--', 'mf-map', flag];
    const result = await run(manifold, args, 'a\n');
    const lines = result.stderr.split('\n');
    expect({
      exitCode: result.exitCode,
      stdout: result.stdout.length,
      lines: lines.length,
    }).toEqual({
      exitCode: 1,
      stdout: 0,
      lines: 3,
    });
    expect(lines[0]).toBe(
      `mf-map: ${flag} is not shown under manifold's block protocol (see 'mf-map --help')`,
    );
    expect(lines[1]).toMatch(
      /^manifold: worker 1 \(.*\) exited with status 2 on block 1 \(records 1-1\)$/,
    );
  });
});
