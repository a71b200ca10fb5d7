import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { linesOf, records } from '../support/lines.js';
import { tempDir } from '../support/temp.js';

// MANIFOLD_FIRST_RECORD costs a per-block run from a file the count of every record of every
// block, so it is counted for only where the command names it (fan/first-record.ts); a
// message that names a block's records counts them then (fan/range-numbers.ts). Inputs are
// 16-byte numbered lines: with --block 1K, block k holds records 64(k-1)+1 to 64k.

/** 640 records in a file, and the file's path. */
function inputFile(dir: string, text = records(1, 640)): string {
  const file = join(dir, 'in.txt');
  writeFileSync(file, text);
  return file;
}

/** The first records the per-block workers printed, one `block:first` line each, in order. */
const firsts = Array.from({ length: 10 }, (_, i) => `${i + 1}:${64 * i + 1}`);

const perBlock = ['-j', '2', '--per-block', '--merge', 'ordered', '--block', '1K'];

describe('MANIFOLD_FIRST_RECORD, counted for where the command names it', () => {
  it('from a file, a command that does not name it is not given it; from a pipe it is', async () => {
    const dir = tempDir('manifold-first-record-');
    const file = inputFile(dir);
    const command = ['--', 'sh', '-c', 'env | grep -c "^MANIFOLD_[BF]" || true'];
    const fromFile = await fan([...perBlock, '--input', file, ...command]);
    expect(ok(fromFile)).toEqual(OK);
    // MANIFOLD_BLOCK alone.
    expect(linesOf(fromFile.stdout)).toEqual(Array(10).fill('1'));
    const fromPipe = await fan([...perBlock, ...command], records(1, 640));
    expect(ok(fromPipe)).toEqual(OK);
    expect(linesOf(fromPipe.stdout)).toEqual(Array(10).fill('2'));
  }, 20_000);

  it('a command line that names it gets it right from a file, and --verbose says it counts', async () => {
    const dir = tempDir('manifold-first-record-');
    const file = inputFile(dir);
    const args = [...perBlock, '--verbose', '--input', file, '--shell', '--'];
    const named = await fan([...args, 'echo $MANIFOLD_BLOCK:$MANIFOLD_FIRST_RECORD']);
    expect(named.exitCode).toBe(0);
    expect(linesOf(named.stdout)).toEqual(firsts);
    expect(named.stderr).toMatch(/records counted, workers are told their blocks' first records/);
    const unnamed = await fan([...args, 'echo $MANIFOLD_BLOCK']);
    expect(unnamed.exitCode).toBe(0);
    expect(unnamed.stderr).toMatch(
      /each cut at its last record end \(no record scanned or counted: the command does not name MANIFOLD_FIRST_RECORD, so its workers are not given it\)/,
    );
  }, 20_000);

  it('a script that names it, run by its path, by an interpreter, or found on PATH, gets it', async () => {
    const dir = tempDir('manifold-first-record-');
    const file = inputFile(dir);
    const script = join(dir, 'first-record');
    writeFileSync(script, '#!/bin/sh\necho "$MANIFOLD_BLOCK:$MANIFOLD_FIRST_RECORD"\n');
    chmodSync(script, 0o755);
    const env = { PATH: `${dir}:${process.env.PATH}` };
    for (const command of [[script], ['sh', script], ['first-record']]) {
      const got = await fan([...perBlock, '--input', file, '--', ...command], '', { env });
      expect(ok(got)).toEqual(OK);
      expect(linesOf(got.stdout)).toEqual(firsts);
    }
  }, 30_000);

  it('a manifold run as a worker does not hand its own block variables on', async () => {
    const dir = tempDir('manifold-first-record-');
    const file = inputFile(dir);
    const env = { MANIFOLD_BLOCK: '999', MANIFOLD_FIRST_RECORD: '999' };
    const command = ['--', 'sh', '-c', 'env | grep "^MANIFOLD_[BF]" | sort | tr "\\n" " "; echo'];
    const perBlockRun = await fan([...perBlock, '--input', file, ...command], '', { env });
    expect(ok(perBlockRun)).toEqual(OK);
    expect(linesOf(perBlockRun.stdout)).toEqual(
      Array.from({ length: 10 }, (_, i) => `MANIFOLD_BLOCK=${i + 1} `),
    );
    const persistent = await fan(['-j', '2', '--input', file, ...command], '', { env });
    expect(ok(persistent)).toEqual(OK);
    // One line a worker, as many as started; none names a block.
    expect(new Set(linesOf(persistent.stdout))).toEqual(new Set(['']));
  }, 20_000);
});

describe('a failed block from a file is named by its records, counted for the message', () => {
  // Block 7 (records 385-448) fails; the same run from a pipe counts every block as it goes.
  const cases: { name: string; split: string[]; text: string; fails: string }[] = [
    { name: 'lines', split: [], text: records(1, 640), fails: '000000000000400' },
    {
      name: 'a delimiter of two bytes',
      split: ['--split', 'delim:|;'],
      text: records(1, 640).replaceAll('\n', '|;'),
      fails: '000000000000400',
    },
    {
      name: 'records of one size',
      split: ['--split', 'fixed:16'],
      text: records(1, 640),
      fails: '000000000000400',
    },
  ];
  for (const { name, split, text, fails } of cases) {
    it(name, async () => {
      const dir = tempDir('manifold-first-record-');
      const file = inputFile(dir, text);
      const command = ['--shell', '--', `grep -q ${fails} && exit 3; cat > /dev/null`];
      const fromFile = await fan([...perBlock, ...split, '--input', file, ...command]);
      const fromPipe = await fan([...perBlock, ...split, ...command], text);
      expect(fromFile.exitCode).toBe(1);
      expect(fromFile.stderr).toMatch(/exited with status 3 on block \d+ \(records \d+-\d+\)/);
      expect(fromFile.stderr.replace(/worker \d+ \(pid \d+/g, 'worker (pid')).toBe(
        fromPipe.stderr.replace(/worker \d+ \(pid \d+/g, 'worker (pid'),
      );
    }, 20_000);
  }
});

describe('a persistent worker that failed, from a file', () => {
  it('names the blocks it had been given by their records, counted then; from a pipe, by bytes', async () => {
    const dir = tempDir('manifold-first-record-');
    const file = inputFile(dir);
    const command = ['--shell', '--', 'grep -q 000000000000400 && exit 3; cat > /dev/null'];
    const fromFile = await fan(['-j', '1', '--block', '1K', '--input', file, ...command]);
    expect(fromFile.exitCode).toBe(1);
    const named = [...fromFile.stderr.matchAll(/block (\d+) \(records (\d+)-(\d+)\)/g)];
    expect(named.length, fromFile.stderr).toBeGreaterThan(0);
    // Block k holds records 64(k-1)+1 to 64k.
    for (const [, block, first, last] of named) {
      expect([Number(first), Number(last)]).toEqual([64 * Number(block) - 63, 64 * Number(block)]);
    }
    expect(fromFile.stderr).not.toMatch(/bytes \d/);
    const fromPipe = await fan(['-j', '1', '--block', '1K', ...command], records(1, 640));
    expect(fromPipe.exitCode).toBe(1);
    expect(fromPipe.stderr).toMatch(/it had been given [^\n]*block \d+ \(bytes \d+-\d+\)/);
  }, 20_000);
});
