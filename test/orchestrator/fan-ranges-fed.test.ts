import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { fileWith } from '../support/temp.js';

// Workers that stay, given a regular file: each block is left in the file, found by reading
// back from its end only, and sent into the worker's pipe by the Python process starter's
// sendfile (ProcessTransport.sendSource), never through manifold. Every cut, round-robin
// dispatch, workers that stop reading, a file that shrinks, and the same runs where no starter
// can send (MANIFOLD_STARTER=perl). A record longer than a block: fan-ranges-left.test.ts.

const PREFIX = 'q'.repeat(40);
/** ~9.6 MB of lines `<PREFIX><n>`. */
const LINES = numbered(1, 200_000, PREFIX);
const FED =
  /each block stays in the file until its worker's pipe takes it, sent into it by the kernel/;

const inputFile = (content: string | Buffer) => fileWith('manifold-fan-ranges-fed-', content);

/** The records of `data` cut at `cut` (a delimiter, or a size), sorted: output in any order. */
function sortedRecords(data: Buffer, cut: string | number): Buffer[] {
  const records: Buffer[] = [];
  if (typeof cut === 'number') {
    for (let at = 0; at < data.length; at += cut) records.push(data.subarray(at, at + cut));
  } else {
    let at = 0;
    for (let end = data.indexOf(cut); end >= 0; end = data.indexOf(cut, at)) {
      records.push(data.subarray(at, end + cut.length));
      at = end + cut.length;
    }
    if (at < data.length) records.push(data.subarray(at));
  }
  return records.sort(Buffer.compare);
}

// One at a time: each sends 10 MB twice and sorts 600,000 records here, CPU-bound; the four
// together took up to 12.5 s of their 30 s in CI, and past 30 s on one CPU beside a busy loop.
describe('workers that stay: every cut, sent from the file by the process starter', () => {
  it.each([
    ['lines', LINES, '\n'],
    ['nul', LINES.replaceAll('\n', '\0'), '\0'],
    ['delim:\\r\\n', LINES.replaceAll('\n', '\r\n'), '\r\n'],
    ['fixed:48', LINES.slice(0, 48 * 100_000), 48],
  ] as const)('--split %s: each record once, as a pipe gives them', async (split, content, cut) => {
    const file = inputFile(content);
    const args = ['-j', '3', '--split', split, '--block', '1M', '--', 'cat'];
    const [fromFile, fromPipe] = await Promise.all([
      run(manifold, ['fan', '--verbose', '--input', file, ...args], '', C),
      run(manifold, ['fan', ...args], content, C),
    ]);
    expect([fromFile.exitCode, fromPipe.exitCode]).toEqual([0, 0]);
    expect(fromFile.stderr).toMatch(FED);
    const want = Buffer.concat(sortedRecords(Buffer.from(content), cut));
    const got = Buffer.concat(sortedRecords(fromFile.stdout, cut));
    expect(byteDiff(got, want)).toEqual(sameBytes(want));
    const piped = Buffer.concat(sortedRecords(fromPipe.stdout, cut));
    expect(byteDiff(piped, want)).toEqual(sameBytes(want));
  });
});

describe.concurrent('workers that stay: blocks sent from the file by the process starter', () => {
  it('blocks of 4 MiB without --block, as many as give each worker two of a smaller file', async ({
    expect,
  }) => {
    const blocks = async (content: string) => {
      const file = inputFile(content);
      const result = await run(
        manifold,
        ['fan', '-j', '2', '--verbose', '--input', file, '--', 'wc', '-c'],
        '',
        C,
      );
      expect(result.exitCode).toBe(0);
      // Each worker counts what it was sent: all of the file between them.
      const counts = result.stdout.toString().trim().split('\n').map(Number);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(Buffer.byteLength(content));
      return result.stderr.split('\n').find((line) => line.includes('blocks of'));
    };
    expect(await blocks(LINES)).toMatch(
      /^manifold: blocks of 2 MiB: each is sent from the file by the kernel/,
    );
    expect(await blocks(LINES.repeat(4))).toMatch(
      /^manifold: blocks of 4 MiB: each is sent from the file by the kernel/,
    );
  });

  it('round-robin dispatch: every record sent, the blocks shared out in turn', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    // Each worker counts the records it was sent: blocks of 1 MiB (~24,900 records) in turn
    // leave the two counts at most a block apart.
    const result = await run(
      manifold,
      [
        ...['fan', '-j', '2', '--dispatch', 'round-robin', '--block', '1M', '--verbose'],
        ...['--input', file, '--', 'wc', '-l'],
      ],
      '',
      C,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(FED);
    const [a, b] = result.stdout.toString().trim().split('\n').map(Number);
    expect(a! + b!).toBe(200_000);
    expect(Math.abs(a! - b!)).toBeLessThanOrEqual(25_000);
    expect(Math.min(a!, b!)).toBeGreaterThan(75_000);
  });

  it('workers that stop reading early (head): no hang, exit 0, their first records', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--block', '1M', '--input', file, '--', 'head', '-n', '1'],
      '',
      C,
    );
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${PREFIX}\\d+$`));
    expect(lines).toContain(`${PREFIX}1`);
  });

  it('a file that shrinks while its blocks are sent: the run fails, naming it', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    // The worker cuts the file short once it has its first bytes; what is sent or cut after
    // that finds it shorter.
    const result = await run(
      manifold,
      [
        ...['fan', '-j', '1', '--block', '1M', '--input', file, '--'],
        ...['sh', '-c', 'head -c 1 > /dev/null; truncate -s 100 "$0"; cat > /dev/null', file],
      ],
      '',
      C,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: the input file ${file} shrank while it was read \\(\\d+ bytes at the start, 100 now\\)`,
        'm',
      ),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(['perl', 'spawn'])(
    'per-block processes with MANIFOLD_STARTER=%s: their blocks sent a piece at a time, the same bytes',
    async (starter) => {
      const file = inputFile(LINES);
      const result = await run(
        manifold,
        [
          ...['fan', '-j', '2', '--merge', 'ordered', '--block', '3M', '--verbose'],
          ...['--input', file, '--', 'cat'],
        ],
        '',
        { env: { LC_ALL: 'C', MANIFOLD_STARTER: starter } },
      );
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toMatch(
        /stays in the file until its worker's pipe takes it, 1 MiB at a time/,
      );
      expect(byteDiff(result.stdout, Buffer.from(LINES))).toEqual(sameBytes(Buffer.from(LINES)));
    },
  );

  it('where no Python starter can send them (MANIFOLD_STARTER=perl), blocks are read as before', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    const result = await run(
      manifold,
      ['fan', '-j', '2', '--verbose', '--input', file, '--', 'cat'],
      '',
      { env: { LC_ALL: 'C', MANIFOLD_STARTER: 'perl' } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/is read as byte ranges of 1 MiB/);
    expect(result.stderr).not.toMatch(/stays in the file/);
    const want = Buffer.concat(sortedRecords(Buffer.from(LINES), '\n'));
    const got = Buffer.concat(sortedRecords(result.stdout, '\n'));
    expect(byteDiff(got, want)).toEqual(sameBytes(want));
  });
});
