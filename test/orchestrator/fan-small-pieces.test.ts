import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { variedLines } from '../support/data.js';
import { C } from '../support/fan-run.js';
import { joinLines, linesOf, numbered } from '../support/lines.js';
import { watch, within } from '../support/spawn.js';
import { fileWith } from '../support/temp.js';

// Commands that read and write a little at a time (mawk: 4 KiB each way, as C's stdio does on
// pipes). The process starter, which feeds the commands' pipes and writes a ready merge's output
// itself, lets such a pipe drain or fill before it moves the next bytes (a rest of a millisecond
// at most), where it woke for every 4 KiB (docs/performance.md). Whatever the pace, every
// record arrives once and whole, in order where asked; and output that trickles is written as
// it comes, with no more input to wake the starter.

const UPPER = '{ print toupper($0) }';
const LINES = variedLines(60_000, 55);
const INPUT = joinLines(LINES);
/** As awk's toupper in the C locale: a to z only. */
const UPPERED = LINES.map((line) => line.replace(/[a-z]+/g, (word) => word.toUpperCase()));

describe('small readers and writers through the process starter', () => {
  it.each(['file', 'pipe'] as const)(
    "from a %s: awk's upper-cased lines, each once, whole",
    async (from) => {
      const args = ['fan', '-j', '2', '--block', '256K', '--', 'awk', UPPER];
      const result =
        from === 'file'
          ? await run(
              manifold,
              [
                ...args.slice(0, 1),
                '--input',
                fileWith('manifold-small-', INPUT),
                ...args.slice(1),
              ],
              '',
              C,
            )
          : await run(manifold, args, INPUT, C);
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
      expect(linesOf(result.stdout).sort()).toEqual([...UPPERED].sort());
    },
  );

  it("--merge ordered, a worker per block: awk's lines in the input's order", async () => {
    const file = fileWith('manifold-small-', INPUT);
    const result = await run(
      manifold,
      [
        'fan',
        '--input',
        file,
        '-j',
        '2',
        '--block',
        '256K',
        '--merge',
        'ordered',
        '--',
        'awk',
        UPPER,
      ],
      '',
      C,
    );
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(result.stdout.toString() === joinLines(UPPERED)).toBe(true);
  });

  it('output that trickles is written as it comes: each line before the next is sent', async () => {
    // A line in, its line out, and only then the next line in: a relay that rested after a
    // small read and did not come back by itself would leave the line unwritten. The rest is
    // for a command that has written a MiB already: 1.3 MB of lines first, written a line at a
    // time. The input is a pipe (cat's), whose pieces the starter passes on as they come. (Not
    // awk: mawk reads a pipe a buffer at a time unless told -W interactive.)
    const child = spawn(
      'sh',
      ['-c', 'cat | exec "$0" "$@"', manifold, 'fan', '-j', '1', '--', 'sed', '-u', 's/^/got /'],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    onCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const stdout = watch(child.stdout!);
    child.stdin!.write(numbered(1, 20_000, 'x'.repeat(60)));
    await stdout.waitFor(/^got x+20000$/, 1);
    for (const n of [1, 2, 3]) {
      child.stdin!.write(`line ${n}\n`);
      await stdout.waitFor(new RegExp(`^got line ${n}$`), 1);
    }
    child.stdin!.end();
    const [code] = await within(once(child, 'exit'), 10_000, () => 'manifold did not exit');
    expect(code).toBe(0);
  });
});
