import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { encode, framingOf } from '../support/framing.js';
import { sink } from '../support/sink.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// -N, --records: blocks of exactly N records (the last fewer), as `parallel --pipe -N`, for
// every framing, from a file as from a pipe; and the combinations that cannot keep it, refused.

/** Records of sizes that vary, so that a block's bytes tell how many records it got. */
const records = (count: number) =>
  Array.from({ length: count }, (_, i) => Buffer.from(`r${i}${'x'.repeat((i * 7) % 13)}`));

/** The byte counts `wc -c` gives for blocks of `n` of `all`, framed. */
function blockBytes(framing: ReturnType<typeof framingOf>, all: Buffer[], n: number): string {
  const sizes: number[] = [];
  for (let at = 0; at < all.length; at += n)
    sizes.push(encode(framing, all.slice(at, at + n)).length);
  return sizes.map((size) => `${size}\n`).join('');
}

describe('-N, --records: blocks of exactly N records', () => {
  it.for(['lines', 'nul', 'delim:XX', 'fixed:16', 'frames'])(
    '--split %s: each per-block worker gets N records, the last fewer, from a pipe and a file',
    async (name) => {
      const framing = framingOf(name);
      const all =
        framing.kind === 'fixed'
          ? records(40).map((r) => Buffer.concat([r, Buffer.alloc(16)]).subarray(0, 16))
          : records(40);
      const input = encode(framing, all);
      const args = ['fan', '-j', '2', '--split', name, '--join', 'lines', '-N', '7'];
      const tail = ['--per-block', '--merge', 'ordered', '--', 'wc', '-c'];
      const [piped, filed] = await Promise.all([
        run(manifold, [...args, ...tail], input),
        run(manifold, [...args, '--input', fileWith('records-', input), ...tail]),
      ]);
      const expected = blockBytes(framing, all, 7);
      expect([piped.exitCode, piped.stderr, piped.stdout.toString()]).toEqual([0, '', expected]);
      expect([filed.exitCode, filed.stderr, filed.stdout.toString()]).toEqual([0, '', expected]);
    },
  );

  it('an empty record counts as one, from a pipe and a file (parallel -N1 gives two a job)', async () => {
    const input = 'a\n\n\nb\n\n';
    const args = [
      'fan',
      '-j',
      '2',
      '-N',
      '1',
      '--per-block',
      '--merge',
      'ordered',
      '--',
      'wc',
      '-c',
    ];
    const [piped, filed] = await Promise.all([
      run(manifold, args, input),
      run(manifold, [...args.slice(0, 1), '--input', fileWith('empty-', input), ...args.slice(1)]),
    ]);
    for (const result of [piped, filed])
      expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([
        0,
        '',
        '2\n1\n1\n2\n1\n',
      ]);
  });

  it('a pause in the input does not cut a block short: it waits for its Nth record', async () => {
    const child = spawn(
      'node',
      [
        manifold,
        'fan',
        '-j',
        '1',
        '-N',
        '3',
        '--per-block',
        '--merge',
        'ordered',
        '--',
        'wc',
        '-l',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stdin.write('a\n');
    // A pause longer than the one after which a fan passes on what it has (50 ms): the
    // condition under test, not a wait for something to happen.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.stdin.end('b\nc\nd\n');
    const [code] = await once(child, 'close');
    expect([code, stdout]).toEqual([0, '3\n1\n']);
  });

  it('--one-to-one and --threads keep every record, in order', async () => {
    const input = records(500)
      .map((r) => `${r}\n`)
      .join('');
    const [oneToOne, threads] = await Promise.all([
      run(
        manifold,
        ['fan', '-j', '2', '-N', '9', '--one-to-one', '--merge', 'ordered', '--', 'cat'],
        input,
      ),
      run(
        manifold,
        ['fan', '-j', '2', '-N', '9', '--threads', '--merge', 'ordered', '--', 'mf-map', 'r'],
        input,
      ),
    ]);
    expect([oneToOne.exitCode, oneToOne.stderr, oneToOne.stdout.toString()]).toEqual([
      0,
      '',
      input,
    ]);
    expect([threads.exitCode, threads.stderr, threads.stdout.toString()]).toEqual([0, '', input]);
  });

  it('--header: each block is the header and N records', async () => {
    const result = await run(
      manifold,
      ['fan', '-N', '2', '--header', '1', '--per-block', '--merge', 'ordered', '--', 'wc', '-l'],
      'h\n1\n2\n3\n4\n5\n',
    );
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([
      0,
      '',
      '3\n3\n2\n',
    ]);
  });

  it('--max-record still holds for each record', async () => {
    const result = await run(
      manifold,
      ['fan', '-N', '2', '--max-record', '8', '--', 'cat'],
      'short\nmuch too long\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'manifold: stdin:2: record is larger than the maximum record size 8 B (13 B); raise it with --max-record\n',
    );
  });

  it('a config says records:, and the library records', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      input: fileWith('records-', '1\n2\n3\n4\n5\n'),
      stages: [
        {
          name: 'count',
          fan: { worker: 'wc -l', records: 2, attribution: 'per-block', merge: 'ordered' },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect([fromConfig.exitCode, fromConfig.stderr, fromConfig.stdout.toString()]).toEqual([
      0,
      '',
      '2\n2\n1\n',
    ]);
    const output = sink();
    await fan(
      { command: ['wc', '-l'], records: 2, perBlock: true, merge: 'ordered', workers: 2 },
      { input: Readable.from(['1\n2\n3\n4\n5\n']), output },
    );
    expect(output.text()).toBe('2\n2\n1\n');
  });
});

describe('-N, --records: what it cannot go with, refused in one line, exit 2', () => {
  it.for([
    [['-N', '0'], '-N, --records must be a whole number of at least 1 (got 0)'],
    [['-N', 'x'], '-N, --records must be a whole number of at least 1 (got x)'],
    [['--records', '1.5'], '-N, --records must be a whole number of at least 1 (got 1.5)'],
    [
      ['-N', '3', '--block', '1M'],
      '-N, --records and --block both say how large a block is: give one of them',
    ],
    [
      ['-N', '3', '--dispatch', 'hash'],
      "-N, --records cuts the input into blocks of so many records, which --dispatch hash does not keep (it picks each record's worker by its key)",
    ],
  ])('%j', async ([args, message]) => {
    const result = await run(manifold, ['fan', ...(args as string[]), '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`manifold: ${message as string} (see 'manifold fan --help')\n`);
  });

  it('with a queue: on the command line, in a config, in the library', async () => {
    const line = await run(manifold, ['fan', '--queue', 'nats://127.0.0.1:4222', '-N', '3'], 'a\n');
    expect([line.exitCode, line.stderr]).toEqual([
      2,
      "manifold: -N, --records is not for --queue: a queue's blocks are cut by size, to fit its messages (see 'manifold fan --help')\n",
    ]);
    const dir = tempDir();
    const config = writeConfig(dir, {
      input: fileWith('records-', 'a\n'),
      stages: [{ name: 'q', fan: { queue: 'nats://127.0.0.1:4222', records: 3 } }],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect(fromConfig.exitCode).toBe(2);
    expect(fromConfig.stderr).toMatch(
      /:\d+:\d+: records is not for queue: a queue's blocks are cut by size, to fit its messages\n$/,
    );
    await expect(
      fan(
        { queue: 'nats://127.0.0.1:4222', records: 3 },
        {
          input: Readable.from(['a\n']),
          output: new Writable({ write: (_c, _e, done) => done() }),
        },
      ),
    ).rejects.toThrow(
      "records is not for queue: a queue's blocks are cut by size, to fit its messages",
    );
  });
});
