import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { variedLines } from '../support/data.js';
import { byteDiff, differences, SAME, sameBytes } from '../support/diff.js';
import { FAN_LONG } from '../support/fan-flags.js';
import { fan, OK, ok, readStats, recordsOf, statsOf, untag } from '../support/fan-run.js';
import { lineBytes, oneLine } from '../support/lines.js';
import { fileTempDir } from '../support/temp.js';
import { fanSaidHere } from '../support/usage.js';

// The remaining options of `manifold fan` end to end: --tag, --input, --retries, --halt,
// --max-record, --progress, --verbose, --table; usage errors; and --help, whose every option is
// exercised in the fan-*.test.ts files named below.

// Tests here run concurrently: their folders go when the file is done.
const tempDir = () => fileTempDir('manifold-fan-options-');

describe.concurrent('manifold fan --tag', () => {
  it("prefixes each output record and each line of a worker's stderr with its number", async ({
    expect,
  }) => {
    const input = lineBytes(variedLines(5_000, 13));
    const dir = tempDir();
    const stats = join(dir, 'stats.json');
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--tag',
        '--stats',
        stats,
        '--shell',
        '--',
        'cat; printf "one\\ntwo" >&2',
      ],
      input,
    );
    expect(result.exitCode).toBe(0);
    const tagged = recordsOf(result.stdout).map(untag);
    expect(tagged.filter(({ worker }) => ![1, 2, 3].includes(worker)).length).toBe(0);
    expect(
      differences(
        tagged.map(({ record }) => record),
        recordsOf(input),
      ),
    ).toEqual(SAME);
    // The tag is the worker that had the records: as many as --stats says it was given.
    const doc = readStats(stats);
    for (const worker of doc.workers) {
      expect(tagged.filter((t) => t.worker === worker.worker).length).toBe(worker.recordsIn);
    }
    const errors = result.stderr.split('\n').slice(0, -1);
    expect([...errors].sort()).toEqual([
      '1\tone',
      '1\ttwo',
      '2\tone',
      '2\ttwo',
      '3\tone',
      '3\ttwo',
    ]);
    for (const n of [1, 2, 3])
      expect(errors.indexOf(`${n}\tone`)).toBeLessThan(errors.indexOf(`${n}\ttwo`));
  });
});

describe.concurrent('manifold fan --input', () => {
  it('reads the files in order, not stdin', async ({ expect }) => {
    const dir = tempDir();
    const a = lineBytes(variedLines(3_000, 20));
    const b = lineBytes(variedLines(3_000, 21).map((line) => `b ${line}`));
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    const result = await fan(
      [
        '-j',
        '3',
        '--block',
        '4K',
        '--merge',
        'ordered',
        '--input',
        join(dir, 'a'),
        '--input',
        join(dir, 'b'),
        '--',
        'cat',
      ],
      'not this\n',
    );
    expect(ok(result)).toEqual(OK);
    const expected = Buffer.concat([a, b]);
    expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
  });

  it('a missing file is a usage error naming it', async ({ expect }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'a\n');
    const missing = join(dir, 'no-such-file');
    const result = await fan(['--input', join(dir, 'a'), '--input', missing, '--', 'cat']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(missing);
    expect(result.stdout.length).toBe(0);
  });
  it("'-' is stdin, alone or in its place among files, as cat a - reads it (it was a file named '-')", async ({
    expect,
  }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'a1\na2\n');
    const alone = await fan(['--input', '-', '--', 'cat'], 'in1\nin2\n', { cwd: dir });
    expect(ok(alone)).toEqual(OK);
    expect(alone.stdout.toString()).toBe('in1\nin2\n');
    const among = await fan(
      ['-j', '1', '--input', 'a', '--input', '-', '--input', 'a', '--', 'cat'],
      'in1\n',
      { cwd: dir },
    );
    expect(ok(among)).toEqual(OK);
    expect(among.stdout.toString()).toBe('a1\na2\nin1\na1\na2\n');
    const twice = await fan(['--input', '-', '--input', '-', '--', 'cat'], 'in1\n', { cwd: dir });
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toBe(
      "manifold: --input - is given more than once: stdin can be read only once (see 'manifold fan --help')\n",
    );
  });
});

describe.concurrent('manifold fan --table', () => {
  // The rest (sharded tables, checks, configs) is in test/tables/fan.test.ts.
  it('names each table to every worker as MANIFOLD_TABLE_<NAME>', async ({ expect }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'users.tsv'), 'u1 Ann\n');
    const table = join(dir, 'users.mft');
    const built = await run(manifold, [
      'table',
      'build',
      join(dir, 'users.tsv'),
      '--key',
      'field:1',
      '-o',
      table,
    ]);
    expect(built.exitCode).toBe(0);
    const result = await fan(
      [
        '-j',
        '2',
        // A block each: a worker starts with its first.
        '-N',
        '1',
        '--dispatch',
        'round-robin',
        '--table',
        `users=${table}`,
        '--shell',
        '--',
        'cat >/dev/null; echo "$MANIFOLD_TABLE_USERS"',
      ],
      'a\nb\n',
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe(`${table}\n${table}\n`);
  });
});

describe.concurrent('manifold fan: failures, retries and what it says', () => {
  const input = lineBytes(
    Array.from({ length: 2_000 }, (_, i) => `line ${String(i).padStart(5, '0')}`),
  );

  it('--retries runs each failed block again on a fresh worker: the output is whole', async ({
    expect,
  }) => {
    const marks = tempDir();
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '2K',
        '--merge',
        'ordered',
        '--retries',
        '1',
        '--stats',
        '-',
        '--',
        fixture('fan-flaky.sh'),
      ],
      input,
      { env: { FAN_MARKS: marks } },
    );
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    const stats = statsOf(result);
    expect(stats.status).toBe(0);
    // Each block failed once, then ran again: two processes per block.
    expect(stats.workers.reduce((sum, w) => sum + w.pids.length, 0)).toBe(2 * stats.totals.blocks);
  });

  it('without --retries, a failing block is exit 1 and a line naming the worker', async ({
    expect,
  }) => {
    const result = await fan(
      ['-j', '1', '--block', '2K', '--per-block', '--', fixture('fan-flaky.sh')],
      input,
      { env: { FAN_MARKS: tempDir() } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toMatch(
      /worker 1 \(pid \d+: .*fan-flaky\.sh\) exited with status 3 on block 1 \(records 1-\d+\)/,
    );
  });

  it('--halt never finishes the other blocks and names the one that failed', async ({ expect }) => {
    const lines = recordsOf(input);
    lines[1_234] = 'BAD';
    const withBad = lineBytes(lines);
    const keepUnlessBad =
      "awk '{ kept[NR] = $0 } /^BAD$/ { bad = 1 } END { if (bad) exit 3; for (i = 1; i <= NR; i++) print kept[i] }'";
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '2K',
        '--merge',
        'ordered',
        '--halt',
        'never',
        '--shell',
        '--',
        keepUnlessBad,
      ],
      withBad,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    const range = /on block \d+ \(records (\d+)-(\d+)\)/.exec(result.stderr);
    expect(range).not.toBeNull();
    const [first, last] = [Number(range![1]), Number(range![2])];
    expect(first).toBeLessThanOrEqual(1_235);
    expect(last).toBeGreaterThanOrEqual(1_235);
    // Everything but the failed block's records, in order.
    const expected = lineBytes([...lines.slice(0, first - 1), ...lines.slice(last)]);
    expect(byteDiff(result.stdout, expected)).toEqual(sameBytes(expected));
  });

  it('--max-record: a record larger than it stops the run with exit 1 naming it', async ({
    expect,
  }) => {
    const lines = recordsOf(input).slice(0, 100);
    lines.push('x'.repeat(50_000), ...lines);
    const result = await fan(
      ['--block', '1K', '--max-record', '4K', '--', 'cat'],
      lineBytes(lines),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(oneLine);
    // From a pipe whose records are not counted, the record is named by its first byte.
    const offset = lineBytes(lines.slice(0, 100)).length + 1;
    expect(result.stderr).toMatch(
      new RegExp(`^manifold: stdin: byte ${offset}: record is larger .*--max-record\n$`),
    );
  });

  it('--progress draws nothing when stderr is not a terminal', async ({ expect }) => {
    const result = await fan(
      ['-j', '2', '--block', '4K', '--progress', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });

  it('--verbose says that --merge ordered chose per-block workers', async ({ expect }) => {
    const result = await fan(
      ['-j', '2', '--block', '4K', '--verbose', '--merge', 'ordered', '--', 'cat'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^manifold: .*--per-block/m);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
  });
});

describe.concurrent('manifold fan usage errors', () => {
  const cases: [string[], string][] = [
    [['--merge', 'ordered', '--dispatch', 'hash'], '--dispatch hash'],
    [['--merge', 'ordered', '--dispatch', 'broadcast'], '--dispatch broadcast'],
    [['--numeric'], '--numeric'],
    [['--reverse'], '--reverse'],
    [['--per-block', '--one-to-one'], '--one-to-one'],
    [['--per-block', '--protocol', 'manifold'], '--protocol'],
    [['--one-to-one', '--protocol', 'manifold'], '--protocol'],
    [['--protocol', 'other'], 'other'],
    [['--protocol', 'manifold', '--shell'], '--shell'],
    [['-j', '0'], '--workers'],
    [['--block', '0'], '--block'],
    [['--split', 'raw'], 'raw'],
    [['--split', 'bogus'], 'bogus'],
    // The list it gives is of what --split takes: the regular expressions' in it, raw (which it
    // refuses) out; it was the filters' list.
    [['--split', 'bogus'], 'between-re:<end>|<start>, ndjson, frames or fixed:<bytes> ('],
    [['--dispatch', 'bogus'], '--dispatch'],
    // Was the encoder's "RangeError: record is 10 bytes; fixed:8 output needs exactly 8", exit 1.
    [['--split', 'fixed:8', '--tag'], '--tag makes every record longer than the 8 bytes'],
    [['--join', 'fixed:8', '--tag'], 'fixed:8 output'],
    // --field-sep without a --key field:N was ignored, exit 0.
    [
      ['--field-sep', ',', '--dispatch', 'hash'],
      '--field-sep , splits the fields of --key field:N',
    ],
    [['--field-sep', ',', '--key', 'json:a', '--merge', 'sorted'], '(--key is json:a)'],
    // Was '--split "0" must be at least 1 byte': the framing's name lost.
    [['--split', 'fixed:0'], '--split fixed:0: record size 0 must be at least 1 byte'],
    [['--join', 'fixed:x'], '--join fixed:x: record size x is not a size'],
    // A key that nothing reads was ignored, exit 0.
    [
      ['--key', 'field:2'],
      '--key field:2 is the key of --dispatch hash and --merge sorted: it needs one of them',
    ],
    // An empty --joblog was no job log, unsaid.
    [['--joblog', ''], '--joblog must name a file, or - for stderr'],
    // -0 won, silently, over a --split that said otherwise.
    [['-0', '--split', 'ndjson'], '--null is --split nul: it cannot go with --split ndjson'],
  ];
  // Found in this process by the functions the executable calls (support/usage.ts).
  it.for(cases)('%j is exit 2 with one line naming %s', ([args, named], { expect }) => {
    const result = fanSaidHere([...args, '--', 'cat']) ?? { exitCode: 0, stdout: '', stderr: '' };
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(named);
    expect(result.stdout.length).toBe(0);
  });
});

/** The files that, with this one, take `manifold fan` through each of its modes. */
const MODE_FILES = [
  'fan-dispatch.test.ts',
  'fan-merge-ordered.test.ts',
  'fan-merge-sorted.test.ts',
  'fan-split.test.ts',
  'fan-records.test.ts',
  'fan-records-per-block.test.ts',
  'fan-group-by.test.ts',
  'fan-blocks-per-worker.test.ts',
  'fan-lines-per-record.test.ts',
  // --recstart, --recend: records that begin with a string (docs/framing.md).
  'fan-recstart.test.ts',
  // --rrs: blocks given without their record separators.
  'fan-rrs.test.ts',
  // --regexp: --recstart and --recend as regular expressions.
  'fan-regexp.test.ts',
  'fan-cat.test.ts',
  'fan-tagstring.test.ts',
  'fan-ok-status.test.ts',
  'fan-halt.test.ts',
  'fan-timeout.test.ts',
  'fan-delay.test.ts',
  'fan-termseq.test.ts',
  'fan-nice.test.ts',
  'fan-tmpdir.test.ts',
  'fan-header.test.ts',
  'fan-joblog.test.ts',
  'fan-threads.test.ts',
  'fan-threads-failures.test.ts',
  'fan-hosts.test.ts',
  'fan-hosts-faults.test.ts',
  'fan-hosts-options.test.ts',
  'fan-hosts-ship.test.ts',
  // --queue, --job, --ack-wait, --output: the queue's coordinator (docs/queue.md).
  '../queue/queue-faults.test.ts',
  // --queue-timeout: a server gone for good.
  '../queue/queue-gone.test.ts',
];

describe('manifold fan --help', () => {
  it('lists every option, and each is exercised in this file', async ({ expect }) => {
    const result = await fan(['--help']);
    expect(result.exitCode).toBe(0);
    const help = result.stdout.toString();
    // A short name may be long too: `--rrs, --remove-rec-sep`.
    const options = [...help.matchAll(/^ {2}(?:--?[A-Za-z0-9]+, )?(--[a-z][a-z0-9-]*)/gm)].map(
      (m) => m[1]!,
    );
    // The fan's own list (commander's): an option it has that --help leaves out is missing here.
    expect(options).toEqual(expect.arrayContaining([...FAN_LONG, '--help']));
    expect(help).toMatch(/^ {2}-j, --workers/m);
    expect(help).toMatch(/^ {2}-0, --null/m);
    // The files that exercise options; this test, which names them all, does not count.
    const whole = readFileSync(fileURLToPath(import.meta.url), 'utf8');
    const source = [
      whole.slice(0, whole.indexOf("describe('manifold fan --help'")),
      ...MODE_FILES.map((name) =>
        readFileSync(fileURLToPath(new URL(name, import.meta.url)), 'utf8'),
      ),
    ].join('\n');
    // --help and --version are every command's: test/orchestrator/cli-manners.test.ts.
    const unused = options.filter(
      (option) => !['--help', '--version'].includes(option) && !source.includes(`'${option}'`),
    );
    expect(unused).toEqual([]);
  });
});
