import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { fasta } from '../support/data.js';
import { fan, OK, ok, statsOf } from '../support/fan-run.js';
import { oneLine } from '../support/lines.js';
import { sink } from '../support/sink.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --rrs (parallel's --remove-rec-sep): each block reaches its worker without its record
// separators, as parallel removes them from each block it writes (`remove_rec_sep`): every
// `<end><start>` in it, then the start string it begins with and the end string it ends with.
// Checked against that rule written as parallel writes it, on the blocks per-block workers save,
// from a pipe and a file, at blocks of one record, a few, and many; records are still counted
// as the input's (--joblog, --stats, --one-to-one), and a retry is given the same bytes.

/** parallel's remove_rec_sep on one block, latin1 (one char a byte). */
function parallelRrs(block: string, end: string, start: string): string {
  let text = block.split(end + start).join('');
  if (start !== '' && text.startsWith(start)) text = text.slice(start.length);
  if (end !== '' && text.endsWith(end)) text = text.slice(0, -end.length);
  return text;
}

/**
 * Whether `blocks` are, in order, the stripped groups of consecutive `records`, all of them:
 * each block is some next records, each of at least one, with their separators removed.
 */
function strippedGroups(blocks: string[], records: string[], strip: (s: string) => string) {
  let at = 0;
  for (const block of blocks) {
    let n = 1;
    while (at + n <= records.length && strip(records.slice(at, at + n).join('')) !== block) n++;
    if (at + n > records.length) return false;
    at += n;
  }
  return at === records.length;
}

/** The bytes of a text but its LFs, in order: what merged outputs hold whatever their order. */
const bytesSorted = (text: string) => [...text.replaceAll('\n', '')].sort().join('');

const SAVE_BLOCK = 'cat > "$OUT/$MANIFOLD_BLOCK"';

/** Runs a per-block fan whose workers save their blocks; the blocks, in order, latin1. */
async function savedBlocks(args: string[], input: string | Buffer, from: 'pipe' | 'file') {
  const dir = tempDir('manifold-rrs-');
  const source = from === 'pipe' ? [] : ['--input', fileWith('rrs-', input)];
  const result = await fan(
    [...args, ...source, '--per-block', '--shell', '--', SAVE_BLOCK],
    from === 'pipe' ? input : '',
    { env: { OUT: dir } },
  );
  expect(ok(result), `${args.join(' ')} from a ${from}`).toEqual(OK);
  const names = readdirSync(dir).sort((a, b) => Number(a) - Number(b));
  return names.map((name) => readFileSync(join(dir, name), 'latin1'));
}

/** Binary records: every byte but the two of the delimiter \xff\x00 in a row. */
function binaryRecords(count: number): string[] {
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed >> 8;
  };
  return Array.from({ length: count }, () => {
    let record = '';
    for (let i = 1 + (next() % 12); i > 0; i--) {
      const byte = next() % 256;
      if (byte === 0 && record.endsWith('\xff')) continue;
      record += String.fromCharCode(byte);
    }
    // Ending with \xff would make \xff\xff\x00: its delimiter found a byte early.
    return record.endsWith('\xff') ? `${record}A` : record;
  });
}

const fastaText = fasta(30);
const FASTA = ['--recend', '\\n', '--recstart', '>', '--rrs'];
const fastaRecords = fastaText.split(/(?<=\n)(?=>)/);
const binary = binaryRecords(60);
const binaryText = binary.map((record) => `${record}\xff\x00`).join('');

describe('--rrs removes the separators of each block as parallel does', () => {
  const kinds = [
    {
      name: 'FASTA, --recend \\n --recstart >',
      args: FASTA,
      text: fastaText,
      records: fastaRecords,
      strip: (block: string) => parallelRrs(block, '\n', '>'),
    },
    {
      name: 'binary records, --split delim:\\xff\\x00',
      args: ['--split', 'delim:\\xff\\x00', '--remove-rec-sep'],
      text: binaryText,
      records: binary.map((record) => `${record}\xff\x00`),
      strip: (block: string) => parallelRrs(block, '\xff\x00', ''),
    },
    {
      name: '--recstart > alone',
      args: ['--recstart', '>', '--rrs'],
      text: fastaText,
      records: fastaText.split(/(?=>)/),
      strip: (block: string) => parallelRrs(block, '', '>'),
    },
  ];
  for (const kind of kinds) {
    // The pipe's run and the file's side by side: a process a block, each waiting on its start.
    it.for(['1', '40', '1K'])(`${kind.name}, --block %s, from a pipe and a file`, async (block) => {
      const input = Buffer.from(kind.text, 'latin1');
      const args = [...kind.args, '-j', '2', '--block', block];
      const [piped, filed] = await Promise.all([
        savedBlocks(args, input, 'pipe'),
        savedBlocks(args, input, 'file'),
      ]);
      for (const [from, blocks] of [
        ['pipe', piped],
        ['file', filed],
      ] as const) {
        expect(strippedGroups(blocks, kind.records, kind.strip), from).toBe(true);
        // A block of one byte holds one record: the blocks are the records, stripped.
        if (block === '1') expect(blocks, from).toEqual(kind.records.map(kind.strip));
        else expect(blocks.length, from).toBeLessThan(kind.records.length);
      }
    });

    it(`${kind.name}, -N 3: blocks of three records, each stripped`, async () => {
      const input = Buffer.from(kind.text, 'latin1');
      const args = [...kind.args, '-N', '3'];
      const [piped, filed] = await Promise.all([
        savedBlocks(args, input, 'pipe'),
        savedBlocks(args, input, 'file'),
      ]);
      const groups = [];
      for (let i = 0; i < kind.records.length; i += 3) {
        groups.push(kind.strip(kind.records.slice(i, i + 3).join('')));
      }
      expect(piped, 'pipe').toEqual(groups);
      expect(filed, 'file').toEqual(groups);
    });
  }

  it('-L 2 (lines:2): every LF, as parallel -L 2 --rrs', async () => {
    const blocks = await savedBlocks(['-L', '2', '-N', '2', '--rrs'], 'a\nb\nc\nd\ne\n', 'pipe');
    expect(blocks).toEqual(['abcd', 'e']);
  });

  it('blocks to workers that stay, merged: the input without its separators', async () => {
    // A worker's output that does not end a line is ended by the fan (--join lines).
    for (const merge of ['ordered', 'ready']) {
      const args = ['--recend', ',', '--rrs', '-j', '3', '--block', '3', '--merge', merge];
      const result = await fan([...args, '--join', 'lines', '--', 'cat'], 'ab,c,de,f,g,');
      const text = result.stdout.toString().replaceAll('\n', '');
      const got = merge === 'ordered' ? text : bytesSorted(text);
      expect([ok(result), got], merge).toEqual([OK, 'abcdefg']);
    }
    // Every worker every block; each record to one worker by its key.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const input = `${[...letters].join(',')},`;
    const tail = ['--rrs', '-j', '2', '--block', '5', '--join', 'lines', '--', 'cat'];
    const broadcast = await fan(['--recend', ',', '--dispatch', 'broadcast', ...tail], input);
    expect([ok(broadcast), bytesSorted(broadcast.stdout.toString())]).toEqual([
      OK,
      bytesSorted(letters + letters),
    ]);
    const hash = await fan(['--recend', ',', '--dispatch', 'hash', ...tail], input);
    expect([ok(hash), bytesSorted(hash.stdout.toString())]).toEqual([OK, letters]);
  });
});

describe('the bytes GNU parallel 20221122 gives (--pipe --rrs, one block)', () => {
  // Each expected block as parallel itself gave it, its input and flags alike: separators
  // that overlap, strings at the input's ends, a start string after an end and a start.
  const cases: [string[], string, string][] = [
    [['--recend', '\\n', '--recstart', '>'], '\n>>a\n>b\n', 'ab'],
    [['--recend', '\\n', '--recstart', '>'], 'AABxAB>a,b,abab', 'AABxAB>a,b,abab'],
    [['--recstart', '>'], '\n>>a\n>b\n', '\na\nb\n'],
    [['--recstart', '>'], 'AABxAB>a,b,abab', 'AABxABa,b,abab'],
    [['--recend', ','], 'AABxAB>a,b,abab', 'AABxAB>ababab'],
    [['--recend', ','], ',a,,b', 'ab'],
    [['--recend', 'ab'], 'AABxAB>a,b,abab', 'AABxAB>a,b,'],
    [['--recstart', 'AB'], 'AABxAB>a,b,abab', 'Ax>a,b,abab'],
  ];
  it.for(cases)('%j on %j gives %j', async ([flags, input, block]) => {
    const result = await fan([...flags, '--rrs', '-j', '1', '--per-block', '--', 'cat'], input);
    expect([ok(result), result.stdout.toString('latin1')]).toEqual([OK, block]);
  });
});

describe('records are counted as the input has them', () => {
  it('--joblog Send is the bytes given, SendRecords the records; --stats counts records', async () => {
    const log = join(tempDir('manifold-rrs-'), 'joblog');
    const args = ['--recend', ',', '--rrs', '-N', '2', '--per-block', '--merge', 'ordered'];
    const result = await fan(
      [...args, '--joblog', log, '--stats', '-', '--shell', '--', 'cat; echo'],
      'ab,c,de,f,g,',
    );
    expect(result.exitCode).toBe(0);
    // Rows come as blocks finish: in order of Seq.
    const rows = readFileSync(log, 'utf8').trim().split('\n').slice(1);
    const fields = rows.map((row) => row.split('\t')).sort((a, b) => Number(a[0]) - Number(b[0]));
    const send = fields.map((f) => [Number(f[4]), Number(f[9])]);
    expect(send).toEqual([
      [3, 2],
      [3, 2],
      [1, 1],
    ]);
    expect([statsOf(result).totals.recordsIn, statsOf(result).totals.bytesIn]).toEqual([5, 7]);
  });

  it('--header is given as it is; a block of separators only is given as no bytes', async () => {
    const tail = ['-N', '1', '--per-block', '--merge', 'ordered', '--join', 'lines', '--shell'];
    const echo = ['--', 'echo "[$(cat)]"'];
    const [header, empty] = await Promise.all([
      fan(['--recend', ',', '--rrs', '--header', '1', ...tail, ...echo], 'h,a,b,'),
      fan(['--recend', ',', '--rrs', ...tail, ...echo], 'a,,b,'),
    ]);
    expect([ok(header), header.stdout.toString()]).toEqual([OK, '[h,a]\n[h,b]\n']);
    expect([ok(empty), empty.stdout.toString()]).toEqual([OK, '[a]\n[]\n[b]\n']);
  });

  it('--one-to-one: one output record for each record of the input', async () => {
    // fold -w1 writes each byte of its input on a line: one a record once the commas are gone.
    const args = ['--recend', ',', '--rrs', '-j', '2', '--block', '4', '--one-to-one'];
    const result = await fan([...args, '--join', 'lines', '--', 'fold', '-w1'], 'a,b,c,d,e,f,g,');
    expect([ok(result), result.stdout.toString().split('\n').sort().join('')]).toEqual([
      OK,
      'abcdefg',
    ]);
  });

  it('a block that failed names its records; its retry is given the same bytes', async () => {
    const dir = tempDir('manifold-rrs-');
    // Each block's first try fails once it has read its block; the second saves it.
    const worker =
      'if [ -e "$OUT/tried-$MANIFOLD_BLOCK" ]; then cat > "$OUT/$MANIFOLD_BLOCK"; else cat > /dev/null; touch "$OUT/tried-$MANIFOLD_BLOCK"; exit 3; fi';
    const args = [...FASTA, '-N', '2', '--retries', '1', '--per-block', '--shell'];
    const result = await fan([...args, '--', worker], fastaText, { env: { OUT: dir } });
    expect(ok(result)).toEqual(OK);
    const names = readdirSync(dir).filter((name) => /^\d+$/.test(name));
    const blocks = names
      .sort((a, b) => Number(a) - Number(b))
      .map((name) => {
        return readFileSync(join(dir, name), 'latin1');
      });
    const groups = [];
    for (let i = 0; i < fastaRecords.length; i += 2) {
      groups.push(parallelRrs(fastaRecords.slice(i, i + 2).join(''), '\n', '>'));
    }
    expect(blocks).toEqual(groups);
    const failed = await fan(
      [
        '--recend',
        ',',
        '--rrs',
        '-N',
        '2',
        // One worker: block 1 fails first, and --halt now stops the run there.
        '-j',
        '1',
        '--per-block',
        '--shell',
        '--',
        'cat >/dev/null; exit 3',
      ],
      'ab,c,de,f,',
    );
    expect([failed.exitCode, failed.stderr]).toEqual([
      1,
      expect.stringContaining('exited with status 3 on block 1 (records 1-2)'),
    ]);
  });
});

describe('the spellings, and what is refused', () => {
  it('a config says remove-rec-sep: true, the library removeRecSep: true', async () => {
    const input = fileWith('rrs-', 'ab,c,de,');
    const config = writeConfig(tempDir(), {
      input,
      stages: [
        {
          fan: {
            worker: 'cat',
            split: 'delim:,',
            join: 'lines',
            'remove-rec-sep': true,
            merge: 'ordered',
          },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect([fromConfig.exitCode, fromConfig.stderr, fromConfig.stdout.toString()]).toEqual([
      0,
      '',
      'abcde',
    ]);
    const output = sink();
    await fanApi(
      { command: ['cat'], split: 'delim:,', join: 'lines', removeRecSep: true, workers: 2 },
      { input, output },
    );
    expect([...output.text()].sort().join('')).toBe('abcde');
  });

  it.each([
    [['--split', 'fixed:2', '--rrs'], '--remove-rec-sep: --split fixed:2 has no record separators'],
    [['--split', 'frames', '--rrs'], '--remove-rec-sep: --split frames has no record separators'],
    [
      ['--rrs', '--protocol', 'manifold'],
      '--remove-rec-sep cannot go with --protocol manifold: the filter reads',
    ],
  ])('%j is exit 2 with one line naming %s', async (args, named) => {
    const result = await fan([...args, '--', 'cat'], 'a\n');
    expect([result.exitCode, result.stderr, result.stdout.length]).toEqual([
      2,
      expect.stringMatching(oneLine),
      0,
    ]);
    expect(result.stderr).toContain(named);
  });
});
