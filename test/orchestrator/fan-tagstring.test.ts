import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --tagstring: each output record and each stderr line after a string and a TAB, its {%} the
// worker's number and {#} the block's, as GNU parallel's --tagstring; --tag is '{%}'.

/** Each line's tag and record: `T1-2\t5` is ['T1-2', '5']. */
const rowsOf = (text: Buffer | string) =>
  text
    .toString()
    .split('\n')
    .slice(0, -1)
    .map((line) => line.split('\t'));

describe('--tagstring', () => {
  it('the bytes of parallel --pipe -N 3 -j 1 --tagstring "T{%}-{#}" (stdout and stderr)', async () => {
    const result = await fan(
      [
        '-j',
        '1',
        '-N',
        '3',
        '--per-block',
        '--tagstring',
        'T{%}-{#}',
        '--shell',
        '--',
        'cat; echo err >&2',
      ],
      numbered(1, 10),
    );
    expect(result.exitCode).toBe(0);
    // As `seq 10 | parallel --pipe -N 3 -j 1 --tagstring 'T{%}-{#}' 'cat; echo err >&2'` writes.
    const tags = ['T1-1', 'T1-1', 'T1-1', 'T1-2', 'T1-2', 'T1-2', 'T1-3', 'T1-3', 'T1-3', 'T1-4'];
    expect(result.stdout.toString()).toBe(tags.map((tag, i) => `${tag}\t${i + 1}\n`).join(''));
    expect(result.stderr).toBe('T1-1\terr\nT1-2\terr\nT1-3\terr\nT1-4\terr\n');
  }, 20_000);

  it.for([
    ['ready', []],
    ['ordered', ['--merge', 'ordered']],
    ['ready, --retries', ['--retries', '1']],
    ['ordered, --retries', ['--merge', 'ordered', '--retries', '1']],
    ['--cat', ['--cat', '--merge', 'ordered']],
  ] as [string, string[]][])(
    '%s: each record tagged with its own block, streamed or held, in blocks of 1,000 lines',
    { timeout: 30_000 },
    async ([, merge]) => {
      const command = merge.includes('--cat') ? ['cat', '{}'] : ['cat'];
      const result = await fan(
        [
          '-j',
          '3',
          '-N',
          '1000',
          '--per-block',
          ...merge,
          '--tagstring',
          'b{#} w{%}',
          '--',
          ...command,
        ],
        numbered(1, 10_000),
      );
      expect(ok(result)).toEqual(OK);
      const rows = rowsOf(result.stdout);
      expect(rows.map(([, record]) => Number(record)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 10_000 }, (_, i) => i + 1),
      );
      // A block's records all come from one worker, each after its block's number.
      const slotOf = new Map<string, string>();
      for (const [tag, record] of rows) {
        const [block, slot] = tag!.split(' ');
        expect(block).toBe(`b${Math.ceil(Number(record) / 1000)}`);
        expect(['w1', 'w2', 'w3']).toContain(slot);
        expect(slotOf.get(block!) ?? slot).toBe(slot);
        slotOf.set(block!, slot!);
      }
      if (merge.includes('ordered')) {
        expect(rows.map(([, record]) => Number(record))).toEqual(
          Array.from({ length: 10_000 }, (_, i) => i + 1),
        );
      }
    },
  );

  it('a block that runs again keeps its {#}: the stderr of both tries and its output say it', async () => {
    const dir = tempDir('manifold-tagstring-');
    const script = `echo try >&2; if [ ! -e ${dir}/t$MANIFOLD_BLOCK ]; then touch ${dir}/t$MANIFOLD_BLOCK; exit 1; fi; cat`;
    const result = await fan(
      [
        '-j',
        '2',
        '-N',
        '3',
        '--merge',
        'ordered',
        '--retries',
        '1',
        '--tagstring',
        '{#}',
        '--shell',
        '--',
        script,
      ],
      numbered(1, 7),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe('1\t1\n1\t2\n1\t3\n2\t4\n2\t5\n2\t6\n3\t7\n');
    const tries = result.stderr.split('\n').filter((line) => line.endsWith('\ttry'));
    expect(tries.sort()).toEqual(['1\ttry', '1\ttry', '2\ttry', '2\ttry', '3\ttry', '3\ttry']);
  }, 20_000);

  // Kept as written: a TAB asked for as \t came out as a backslash and a t (QA).
  it('\\t, \\r and \\NNN (octal) are the characters they name, as parallel reads them', async () => {
    const result = await fan(['-j', '1', '--tagstring', 'a\\tb\\101\\0\\r', '--', 'cat'], '1\n2\n');
    expect(ok(result)).toEqual(OK);
    // As `seq 2 | parallel --pipe --tagstring 'a\tb\101\0\r' cat` writes (checked, 20221122).
    expect(result.stdout.toString('latin1')).toBe('a\tbA\0\r\t1\na\tbA\0\r\t2\n');
    // Empty: an empty tag, as --header's copy has (parallel writes none).
    const empty = await fan(['-j', '1', '--tagstring', '', '--', 'cat'], '1\n2\n');
    expect(empty.stdout.toString()).toBe('\t1\n\t2\n');
  });

  it("--tag is --tagstring '{%}': the same bytes, persistent workers", async () => {
    const args = [
      '-j',
      '2',
      '--dispatch',
      'round-robin',
      '-N',
      '1',
      '--shell',
      '--',
      'cat; echo e >&2',
    ];
    const [tag, tagString] = await Promise.all([
      fan(['--tag', ...args], numbered(1, 6)),
      fan(['--tagstring', '{%}', ...args], numbered(1, 6)),
    ]);
    expect(tag.exitCode).toBe(0);
    expect(tagString.exitCode).toBe(0);
    expect(rowsOf(tagString.stdout).sort()).toEqual(rowsOf(tag.stdout).sort());
    expect(rowsOf(tag.stdout).sort()).toEqual([
      ['1', '1'],
      ['1', '3'],
      ['1', '5'],
      ['2', '2'],
      ['2', '4'],
      ['2', '6'],
    ]);
    expect(rowsOf(tagString.stderr).sort()).toEqual([
      ['1', 'e'],
      ['2', 'e'],
    ]);
  }, 20_000);

  it('a config (tag-string) and the library (tagString)', async () => {
    const dir = tempDir('manifold-tagstring-');
    const config = writeConfig(dir, {
      input: fileWith('manifold-tagstring-', numbered(1, 4)),
      stages: [
        {
          name: 's',
          fan: {
            workers: 1,
            records: 2,
            attribution: 'per-block',
            merge: 'ordered',
            'tag-string': 'k{#}',
            worker: 'cat',
          },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect(ok(fromConfig)).toEqual(OK);
    expect(fromConfig.stdout.toString()).toBe('k1\t1\nk1\t2\nk2\t3\nk2\t4\n');
    const chunks: Buffer[] = [];
    await fanApi(
      { command: ['cat'], workers: 1, records: 2, perBlock: true, tagString: 'k{#}/{%}' },
      {
        input: Readable.from([numbered(1, 3)]),
        output: new Writable({
          write: (chunk: Buffer, _e, done) => {
            chunks.push(chunk);
            done();
          },
        }),
      },
    );
    expect(Buffer.concat(chunks).toString()).toBe('k1/1\t1\nk1/1\t2\nk2/1\t3\n');
  }, 20_000);
});

describe('--tagstring and the library', () => {
  it("a failure's collected stderr still names the worker by its number, not by the tag", async () => {
    const failed = fanApi(
      {
        command: 'echo oops >&2; exit 3',
        workers: 1,
        records: 1,
        perBlock: true,
        tagString: 'b{#}',
      },
      {
        input: Readable.from(['a\n']),
        output: new Writable({ write: (_c, _e, done) => done() }),
      },
    );
    await expect(failed).rejects.toMatchObject({ stderr: ['worker 1: oops'] });
  }, 20_000);
});

describe('--tagstring refused in one line, exit 2', () => {
  it.for([
    [
      ['-N', '3', '--tagstring', '{#}'],
      "{#} in --tagstring is the block's number, which a worker that takes many blocks has not for each of its lines: use --per-block, or leave {#} out",
    ],
    [
      ['-N', '3', '--one-to-one', '--tagstring', 'b{#}'],
      "{#} in --tagstring is the block's number, which a worker that takes many blocks has not for each of its lines: use --per-block, or leave {#} out",
    ],
    [
      ['--per-block', '--merge', 'sorted', '--tagstring', '{#}'],
      "{#} in --tagstring is the block's number, and --merge sorted writes the records of many blocks together: use --merge ready or ordered, or leave {#} out",
    ],
    [
      ['--tag', '--tagstring', 'x'],
      "choose one of --tag and --tagstring: --tag is --tagstring '{%}'",
    ],
    [
      ['--join', 'fixed:4', '--tagstring', 'x'],
      '--tagstring makes every record longer than the 4 bytes of fixed:4 output; give --join lines (or another framing) for the tagged output',
    ],
    [
      ['--tagstring', 'a\nb'],
      "--tagstring $'a\\nb' holds the output's record delimiter (lines): each tagged record would be cut in two",
    ],
    [
      ['--queue', 'nats://127.0.0.1:1', '--tagstring', 'x'],
      "--tagstring is not for --queue: a queue job's output is not tagged (a worker's --tag tags its processes' stderr)",
    ],
  ] as [string[], string][])('%j', { timeout: 20_000 }, async ([args, message]) => {
    const command = args.includes('--queue') ? [] : ['--', 'cat'];
    const result = await fan([...args, ...command], numbered(1, 3));
    expect([result.exitCode, result.stdout.toString(), result.stderr]).toEqual([
      2,
      '',
      `manifold: ${message} (see 'manifold fan --help')\n`,
    ]);
  });

  it('in a config, at its key', async () => {
    const dir = tempDir('manifold-tagstring-');
    const config = writeConfig(dir, {
      input: '/dev/null',
      stages: [{ name: 's', fan: { 'tag-string': '{#}', worker: 'cat' } }],
    });
    const refused = await run(manifold, ['run', config]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^${config}:\\d+:\\d+: \\{#\\} in tag-string is the block's number, which a worker that takes many blocks has not for each of its lines: use attribution: per-block, or leave \\{#\\} out\\n$`,
      ),
    );
    const queued = writeConfig(
      dir,
      {
        input: '/dev/null',
        stages: [{ name: 's', fan: { queue: 'nats://127.0.0.1:1', 'tag-string': 'x' } }],
      },
      'queued.yaml',
    );
    const notQueued = await run(manifold, ['run', queued]);
    expect(notQueued.exitCode).toBe(2);
    expect(notQueued.stderr).toMatch(
      new RegExp(`^${queued}:\\d+:\\d+: tag-string is not for queue: [^\\n]+\\n$`),
    );
  }, 20_000);
});
