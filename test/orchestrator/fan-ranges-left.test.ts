import { describe, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { fileWith } from '../support/temp.js';

// Per-block processes given a regular file: each block is left in the file, scanned once a
// piece at a time to find its end and count its records, and read again a piece at a time as
// the worker's pipe takes it (Block.source). Blocks of several pieces, a record longer than a
// block (held instead), workers that stop reading, and a file that changes while it is sent.

const PREFIX = 'p'.repeat(40);
/** ~9.6 MB of lines `<PREFIX><n>`: blocks of 2M are two or three pieces each. */
const LINES = numbered(1, 200_000, PREFIX);

const inputFile = (content: string | Buffer) => fileWith('manifold-fan-ranges-left-', content);

/** A worker that checks every record is the one its MANIFOLD_FIRST_RECORD says, and echoes it. */
const CHECKED = [
  'awk',
  '-v',
  `p=${PREFIX}`,
  'BEGIN { n = ENVIRON["MANIFOLD_FIRST_RECORD"] } $0 != p (n + NR - 1) { print "record " (n + NR - 1) " is " $0 > "/dev/stderr"; exit 1 } { print }',
];

// One at a time: each of these three runs manifold on megabytes several times, CPU-bound;
// concurrent with the group below they took 7-9.4 s in CI, and 20-26 s of their 30 s on one
// CPU beside a busy loop.
describe('per-block processes: blocks left in the file, byte for byte', () => {
  it('blocks of several pieces: the bytes, each record numbered where it is', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    for (const merge of ['ordered', 'ready']) {
      const result = await run(
        manifold,
        [
          ...['fan', '-j', '3', '--per-block', '--merge', merge, '--block', '2M', '--verbose'],
          ...['--input', file, '--', ...CHECKED],
        ],
        '',
        C,
      );
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(
        /each block stays in the file until its worker's pipe takes it/,
      );
      const out = merge === 'ordered' ? result.stdout : sortLines(result.stdout);
      const want = merge === 'ordered' ? Buffer.from(LINES) : sortLines(Buffer.from(LINES));
      expect(byteDiff(out, want)).toEqual(sameBytes(want));
    }
  });

  it('nul records and records of one size: what a pipe gives, first records included', async ({
    expect,
  }) => {
    // Each block's output starts with its first record's number, as a record of the output's
    // framing (one of 48 bytes for fixed:48): a wrong count shows.
    for (const [split, content, format] of [
      ['nul', LINES.replaceAll('\n', '\0'), '%s:'],
      ['fixed:48', LINES, '%047d\n'],
    ] as const) {
      const tell = ['sh', '-c', `printf '${format}' "$MANIFOLD_FIRST_RECORD"; cat`];
      const file = inputFile(content);
      const args = ['-j', '2', '--merge', 'ordered', '--block', '1536K', '--split', split];
      const [fromFile, fromPipe] = await Promise.all([
        run(manifold, ['fan', '--verbose', '--input', file, ...args, '--', ...tell], '', C),
        run(manifold, ['fan', ...args, '--', ...tell], content, C),
      ]);
      expect([fromFile.exitCode, fromPipe.exitCode]).toEqual([0, 0]);
      expect(fromFile.stderr).toMatch(/stays in the file/);
      expect(byteDiff(fromFile.stdout, fromPipe.stdout)).toEqual(sameBytes(fromPipe.stdout));
    }
  });

  it('a record longer than a block is held whole, and the next ones are left in the file', async ({
    expect,
  }) => {
    // Per-block processes (ordered), and workers that stay, sent their blocks by the starter
    // (ready: fan-ranges-fed.test.ts).
    const huge = `${'h'.repeat(3 * 1024 * 1024)}\n`;
    const content = `${numbered(1, 40_000, PREFIX)}${huge}${numbered(40_002, 80_000, PREFIX)}`;
    const file = inputFile(content);
    for (const merge of ['ordered', 'ready']) {
      const result = await run(
        manifold,
        ['fan', '-j', '2', '--merge', merge, '--block', '1M', '--input', file, '--', 'cat'],
        '',
        C,
      );
      expect(result.exitCode).toBe(0);
      const out = merge === 'ordered' ? result.stdout : sortLines(result.stdout);
      const want = merge === 'ordered' ? Buffer.from(content) : sortLines(Buffer.from(content));
      expect(byteDiff(out, want)).toEqual(sameBytes(want));
    }
  });
});

describe.concurrent('per-block processes: blocks left in the file', () => {
  it('workers that stop reading early (head): no hang, each block its first record', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    const result = await run(
      manifold,
      [
        ...['fan', '-j', '2', '--merge', 'ordered', '--block', '3M', '--input', file, '--'],
        ...['sh', '-c', 'echo "$MANIFOLD_FIRST_RECORD"; head -n 1'],
      ],
      '',
      C,
    );
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.toString().trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(6);
    const pairs = Array.from({ length: lines.length / 2 }, (_, i) => [
      `${PREFIX}${lines[2 * i]}`,
      lines[2 * i + 1],
    ]);
    for (const [want, got] of pairs) expect(got).toBe(want);
    expect(pairs[0]![1]).toBe(`${PREFIX}1`);
  });

  it('a file that shrinks while its blocks are sent: the run fails, naming it', async ({
    expect,
  }) => {
    // Block 2 is four pieces: the last ones are read after its worker has cut the file short,
    // as its pipe takes nothing before that.
    const { file, result } = await changedBy('4M', '[ "$MANIFOLD_BLOCK" = 2 ] && truncate -s 100');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: the input file ${file} shrank while it was read \\(\\d+ bytes at the start, 100 now\\)`,
        'm',
      ),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a file rewritten between blocks: the next block is not sent, the run fails', async ({
    expect,
  }) => {
    const { file, result } = await changedBy(
      '2M',
      '[ "$MANIFOLD_BLOCK" = 1 ] && touch -d "+1 hour"',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^manifold: the input file ${file} was rewritten while it was read`, 'm'),
    );
    // What went out is the first block's records, whole, and nothing of the second.
    expect(result.stdout.length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(LINES.startsWith(result.stdout.toString())).toBe(true);
  });

  it('without --block, blocks grow to a share of --merge-memory, from as large as the file allows', async ({
    expect,
  }) => {
    const grows = async (content: string) => {
      const file = inputFile(content);
      const result = await run(
        manifold,
        ['fan', '-j', '2', '--merge', 'ordered', '--verbose', '--input', file, '--', 'cat'],
        '',
        C,
      );
      expect(result.exitCode).toBe(0);
      const want = Buffer.from(content);
      expect(byteDiff(result.stdout, want)).toEqual(sameBytes(want));
      return result.stderr.split('\n').find((line) => line.includes('per-block workers:'));
    };
    const why =
      '\\(a process starts for each block; each left in the file until its worker takes it;';
    // A small file starts at the default block; 9.6 MB gives each of 2 workers two of 2 MiB.
    expect(await grows(numbered(1, 1000))).toMatch(
      new RegExp(
        `^manifold: per-block workers: blocks grow from 1 MiB to 32 MiB, doubling every 2 blocks ${why}`,
      ),
    );
    expect(await grows(LINES)).toMatch(
      new RegExp(
        `^manifold: per-block workers: blocks grow from 2 MiB to 32 MiB, doubling every 2 blocks ${why}`,
      ),
    );
  });
});

/**
 * A fan of one per-block worker over a file of LINES in blocks of `block`, whose worker runs
 * `change` on the file (its last argument) before it copies its block.
 */
async function changedBy(block: string, change: string) {
  const file = inputFile(LINES);
  const result = await run(
    manifold,
    [
      ...['fan', '-j', '1', '--merge', 'ordered', '--block', block, '--input', file, '--'],
      ...['sh', '-c', `${change} "$0"; cat`, file],
    ],
    '',
    C,
  );
  return { file, result };
}

function sortLines(data: Buffer): Buffer {
  return Buffer.from(`${data.toString().trimEnd().split('\n').sort().join('\n')}\n`);
}
