import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { sink } from '../support/sink.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --group-by <key>, as GNU parallel's: blocks end only where the key changes, so that each run
// of records with one key is whole in one block, from a pipe and from a file, in every framing
// that has records; refused where blocks are not the input's own.

/**
 * Lines `key<TAB>n`, runs of 1 to 9 records a key, keys in order: k0 to k<runs - 1>, or every
 * `step`th of them (runs of every length and keys of 1 to 3 digits all the same, fewer blocks).
 */
function grouped(runs: number, step = 1): string {
  let text = '';
  for (let k = 0; k < runs; k += step) {
    for (let n = 0; n <= (k * 5) % 9; n++) text += `k${k}\t${n}${'x'.repeat((k + n) % 11)}\n`;
  }
  return text;
}

/** The keys of `grouped` text, in order, each once. */
const keysOf = (text: string) => [
  ...new Set(
    text
      .trim()
      .split('\n')
      .map((line) => line.split('\t')[0]),
  ),
];

/** The keys each per-block worker saw, in block order: a key split over two blocks shows twice. */
const keysSeen = (stdout: Buffer) => stdout.toString().trim().split('\n');

describe('--group-by: each run of one key whole in one block', () => {
  const text = grouped(300);
  // A process or three for each block: at --block 64 or 100, the 300 runs make some 300
  // blocks; every fifth run of them makes 40 to 60, with every way a block ends among them: at
  // its size exactly, past it where a run begins, where a run that overflows it began, and a
  // run larger than a block alone.
  const few = grouped(300, 5);
  const files = { text: fileWith('group-by-', text), few: fileWith('group-by-', few) };

  it.for([
    ['64', 'few'],
    ['200', 'text'],
    ['1K', 'text'],
  ] as const)(
    '--block %s: no key in two blocks, none lost, from a pipe and from a file',
    async ([block, which]) => {
      const [input, file] = which === 'few' ? [few, files.few] : [text, files.text];
      const args = ['fan', '-j', '2', '--group-by', 'field:1', '--block', block, '--per-block'];
      const tail = ['--merge', 'ordered', '--shell', '--', 'cut -f1 | uniq'];
      const [piped, filed] = await Promise.all([
        run(manifold, [...args, ...tail], input),
        run(manifold, [...args, '--input', file, ...tail]),
      ]);
      for (const result of [piped, filed]) {
        expect([result.exitCode, result.stderr]).toEqual([0, '']);
        expect(keysSeen(result.stdout)).toEqual(keysOf(input));
      }
    },
  );

  it('blocks hold as many whole runs as fit; a run larger than a block is a block of its own', async () => {
    const input = 'a\t1\na\t2\nb\t1\nc\t1\nc\t2\nc\t3\nc\t4\nc\t5\nd\t1\n';
    const counted = await run(
      manifold,
      [
        'fan',
        '--group-by',
        'field:1',
        '--block',
        '12',
        '--per-block',
        '--merge',
        'ordered',
        '--',
        'wc',
        '-l',
      ],
      input,
    );
    // a a b (12 bytes), c c c c c (20: a block of its own), d.
    expect([counted.exitCode, counted.stderr, counted.stdout.toString()]).toEqual([
      0,
      '',
      '3\n5\n1\n',
    ]);
  });

  it('nul, delim:XX and ndjson (json:user) records, and --field-sep', async () => {
    const lines = few.trim().split('\n');
    const nul = `${lines.join('\0')}\0`;
    const delim = `${lines.join('XX')}XX`;
    const ndjson = `${lines.map((l) => JSON.stringify({ user: l.split('\t')[0], v: l })).join('\n')}\n`;
    const commas = few.replaceAll('\t', ',');
    const common = ['fan', '-j', '2', '--block', '100', '--per-block', '--merge', 'ordered'];
    const [a, b, c, d] = await Promise.all([
      run(
        manifold,
        [
          ...common,
          '-0',
          '--group-by',
          'field:1',
          '--join',
          'lines',
          '--shell',
          '--',
          "tr '\\0' '\\n' | cut -f1 | uniq",
        ],
        nul,
      ),
      run(
        manifold,
        [
          ...common,
          '--split',
          'delim:XX',
          '--group-by',
          'field:1',
          '--join',
          'lines',
          '--shell',
          '--',
          "sed 's/XX/\\n/g' | cut -f1 | uniq | grep .",
        ],
        delim,
      ),
      run(
        manifold,
        [
          ...common,
          '--split',
          'ndjson',
          '--group-by',
          'json:user',
          '--shell',
          '--',
          'sed \'s/.*"user":"\\([^"]*\\)".*/\\1/\' | uniq',
        ],
        ndjson,
      ),
      run(
        manifold,
        [
          ...common,
          '--group-by',
          'field:1',
          '--field-sep',
          ',',
          '--shell',
          '--',
          'cut -d, -f1 | uniq',
        ],
        commas,
      ),
    ]);
    for (const result of [a, b, c, d]) {
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
      expect(keysSeen(result.stdout)).toEqual(keysOf(few));
    }
  });

  it("the input's last record, ended by the input's end, is weighed as the others: its run may be new", async () => {
    // Records that begin with a string end only so; a line without its newline too.
    const common = ['fan', '--group-by', 'field:1', '--per-block', '--merge', 'ordered'];
    const [fasta, lines] = await Promise.all([
      run(
        manifold,
        [...common, '--split', 'start:>', '--block', '5', '--', 'wc', '-l'],
        '>a x\nAC\n>a y\nGG\n>b z\nTT\n',
      ),
      run(manifold, [...common, '--block', '4', '--', 'wc', '-c'], 'a\t1\na\t2\nb\t1'),
    ]);
    expect([fasta.exitCode, fasta.stderr, fasta.stdout.toString()]).toEqual([0, '', '4\n2\n']);
    expect([lines.exitCode, lines.stderr, lines.stdout.toString()]).toEqual([0, '', '8\n3\n']);
  });

  it('persistent workers and threads get every record, in order', async () => {
    const common = [
      'fan',
      '-j',
      '2',
      '--group-by',
      'field:1',
      '--block',
      '256',
      '--merge',
      'ordered',
    ];
    const [oneToOne, threads] = await Promise.all([
      run(manifold, [...common, '--one-to-one', '--', 'cat'], text),
      run(manifold, [...common, '--threads', '--', 'mf-map', 'r'], text),
    ]);
    for (const result of [oneToOne, threads]) {
      expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', text]);
    }
  });

  it('a pause passes on the whole runs read so far, not the run it may still be in', async () => {
    const child = spawn(
      'node',
      [
        manifold,
        'fan',
        '-j',
        '2',
        '--group-by',
        'field:1',
        '--dispatch',
        'round-robin',
        '--tag',
        '--',
        'cat',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let stdout = '';
    const arrived = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('a\t1\n')) resolve();
      });
    });
    // Run a is whole once b begins; b may go on: the pause passes a alone (to worker 1).
    child.stdin.write('a\t1\nb\t1\n');
    await arrived;
    child.stdin.end('b\t2\nc\t1\n');
    await new Promise((resolve) => child.on('close', resolve));
    // b's two records came to one worker, in the block after a's.
    expect(stdout.split('\n').sort()).toEqual(['', '1\ta\t1', '2\tb\t1', '2\tb\t2', '2\tc\t1']);
  });

  it('a run larger than --max-record is an error naming its first record', async () => {
    const result = await run(
      manifold,
      ['fan', '--group-by', 'field:1', '--max-record', '30', '--block', '4', '--', 'cat'],
      'a\t1\nb\t1\nb\t2\nb\t3\nb\t4\nb\t5\nb\t6\nb\t7\nb\t8\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "manifold: stdin:2: the run of records with this record's --group-by key is larger than the maximum record size 30 B (31 B so far): each run is held whole in one block; raise it with --max-record\n",
    );
  });

  it('a config says group-by:, the library groupBy', async () => {
    const input = fileWith('group-by-', 'a\t1\na\t2\nb\t1\nc\t1\nc\t2\n');
    const config = writeConfig(tempDir(), {
      input,
      stages: [
        {
          fan: {
            worker: 'wc -l',
            'group-by': 'field:1',
            block: 8,
            attribution: 'per-block',
            merge: 'ordered',
          },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect([fromConfig.exitCode, fromConfig.stderr, fromConfig.stdout.toString()]).toEqual([
      0,
      '',
      '2\n1\n2\n',
    ]);
    const output = sink();
    await fan(
      { command: ['wc', '-l'], groupBy: 'field:1', block: 8, perBlock: true, merge: 'ordered' },
      { input: Readable.from(['a\t1\na\t2\nb\t1\nc\t1\nc\t2\n']), output },
    );
    expect(output.text()).toBe('2\n1\n2\n');
  });
});

describe('--group-by: refused in one line, exit 2', () => {
  it.for([
    [
      ['-N', '3'],
      "manifold: --group-by and -N, --records both say where a block ends: give one of them (a block for each run of one key, as parallel's --group-by with -N1, is --block 1) (see 'manifold fan --help')\n",
    ],
    [
      ['--dispatch', 'hash'],
      "manifold: --group-by is not for --dispatch hash, which gives all the records of a key to one worker already: use one of them (see 'manifold fan --help')\n",
    ],
  ] as const)('with %j', async ([options, stderr]) => {
    const result = await run(
      manifold,
      ['fan', '--group-by', 'field:1', ...options, '--', 'cat'],
      'a\n',
    );
    expect([result.exitCode, result.stderr]).toEqual([2, stderr]);
  });

  // `--group-by whole --field-sep :` was refused naming --key alone, which was not given:
  // "--field-sep : splits the fields of --key field:N: it needs one (--key is whole)".
  it('--field-sep with a --group-by key that has no fields: both named', async () => {
    const [whole, json] = await Promise.all([
      run(manifold, ['fan', '--group-by', 'whole', '--field-sep', ':', '--', 'cat'], 'a\n'),
      run(manifold, ['fan', '--group-by', 'json:u', '--field-sep', ':', '--', 'cat'], 'a\n'),
    ]);
    expect([whole.exitCode, whole.stderr, json.exitCode, json.stderr]).toEqual([
      2,
      "manifold: --field-sep : splits the fields of --key field:N or --group-by field:N: it needs one (--key is whole, --group-by whole) (see 'manifold fan --help')\n",
      2,
      "manifold: --field-sep : splits the fields of --key field:N or --group-by field:N: it needs one (--key is whole, --group-by json:u) (see 'manifold fan --help')\n",
    ]);
  });

  it("the spelling -N's message gives, --block 1, is a block a run, as parallel's --group-by 1 -N1", async () => {
    // printf 'a 1\na 2\nb 1\nc 1\nc 2\n' | parallel --pipe --colsep ' ' --group-by 1 -kN1 wc -l
    // gives 2, 1, 2 (checked).
    const result = await run(
      manifold,
      ['fan', '--group-by', 'field:1', '--block', '1', '--per-block', '--merge', 'ordered'].concat([
        '--',
        'wc',
        '-l',
      ]),
      'a 1\na 2\nb 1\nc 1\nc 2\n',
    );
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([
      0,
      '',
      '2\n1\n2\n',
    ]);
  });

  it('with --queue, and a key that is not one', async () => {
    const [queue, bad] = await Promise.all([
      run(manifold, ['fan', '--group-by', 'field:1', '--queue', 'nats://127.0.0.1:1'], 'a\n'),
      run(manifold, ['fan', '--group-by', 'field:0', '--', 'cat'], 'a\n'),
    ]);
    expect([queue.exitCode, queue.stderr]).toEqual([
      2,
      "manifold: --group-by is not for --queue: a queue's blocks are cut by size, to fit its messages (see 'manifold fan --help')\n",
    ]);
    expect([bad.exitCode, bad.stderr]).toEqual([
      2,
      "manifold: --group-by field:0: fields are numbered from 1 (see 'manifold fan --help')\n",
    ]);
  });

  it('a config: field-sep with a group-by that has no fields, at field-sep', async () => {
    const config = writeConfig(
      tempDir(),
      'stages:\n  - fan:\n      worker: cat\n      group-by: whole\n      field-sep: ":"\n',
    );
    const result = await run(manifold, ['run', config], 'a\n');
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      `${config}:5:18: field-sep : splits the fields of key field:N or group-by field:N: it needs one (key is whole, group-by whole)\n`,
    ]);
  });

  it('a config, at the key', async () => {
    const config = writeConfig(
      tempDir(),
      'stages:\n  - fan:\n      worker: cat\n      group-by: colour\n',
    );
    const result = await run(manifold, ['run', config], 'a\n');
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      `${config}:4:17: group-by colour is not one of field:N, json:<dot.path> or whole\n`,
    ]);
  });
});
