import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fileWith } from '../support/temp.js';

// Per-block workers whose output the Python process starter writes itself, in the blocks' order
// (`--merge ordered`): a record of theirs over --max-record was named by the worker alone
// (`worker 1 output: record is larger ...`), where manifold's own path (MANIFOLD_STARTER=perl)
// names the block too (`worker 1 output of block 5 (records A-B): ...`). Both now say the same.

const lines = Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join('');
const ORDERED = /output: the process starter writes each block's output to stdout itself/;

describe('an output record over --max-record of a per-block worker', () => {
  const file = fileWith('manifold-fan-max-record-relayed-', lines);
  // The block that holds record 50000 writes a record of 3000 bytes; the others one line.
  const script =
    'if grep -qx 50000; then head -c 3000 /dev/zero | tr "\\0" x; echo; else echo ok; fi';
  const args = [
    ...['fan', '-j', '2', '--merge', 'ordered', '--block', '64K', '--max-record', '1K'],
    ...['--verbose', '--input', file, '--shell', '--', script],
  ];
  const TOO_LARGE =
    /^manifold: worker [12] output of block (\d+) \(records (\d+)-(\d+)\): record is larger than the maximum record size 1 KiB \(2\.9 KiB so far\); raise it with --max-record$/m;

  it('written by the starter, names its block as manifold does', async ({ expect }) => {
    const starters = [];
    for (const starter of ['python', 'perl']) {
      const env = { LC_ALL: 'C', MANIFOLD_STARTER: starter };
      const result = await run(manifold, args, '', { env });
      expect(result.exitCode).toBe(1);
      expect(result.stdout.toString()).not.toMatch(/x{3000}/);
      // Python's starter writes the output itself; Perl's leaves it to manifold.
      if (starter === 'python') expect(result.stderr).toMatch(ORDERED);
      else expect(result.stderr).not.toMatch(ORDERED);
      const named = result.stderr.match(TOO_LARGE);
      expect(named, result.stderr).not.toBeNull();
      const [, , first, last] = named!.map(Number);
      expect(first! <= 50_000 && 50_000 <= last!).toBe(true);
      starters.push(named![0].replace(/worker \d/, 'worker N'));
    }
    expect(starters[0]).toBe(starters[1]);
  });
});

describe("an output record over --max-record after whole records in the same read (the ready merge's relay)", () => {
  it.each([
    ['5', "printf 'aaaa\\nbbbbbb\\n'", '5 B (6 B so far)'],
    [
      '1K',
      "head -c 1000 /dev/zero | tr '\\0' a; echo; head -c 1100 /dev/zero | tr '\\0' b; echo",
      '1 KiB (1.1 KiB so far)',
    ],
  ])(
    '--max-record %s: its own size, as manifold says it, not the records before counted in (11 B)',
    async (limit, script, said) => {
      const sayings = [];
      for (const starter of ['python', 'perl']) {
        const env = { MANIFOLD_STARTER: starter };
        const result = await run(
          manifold,
          ['fan', '--max-record', limit, '--shell', '--', script],
          'x\n',
          { env },
        );
        expect(result.exitCode).toBe(1);
        sayings.push(result.stderr);
      }
      const line = `manifold: worker 1 output: record is larger than the maximum record size ${said}; raise it with --max-record\n`;
      expect(sayings).toEqual([line, line]);
    },
  );
});
