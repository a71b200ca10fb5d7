import { spawn } from 'node:child_process';
import { closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  leftovers,
  tracked,
  writingIntoFullPipe,
} from '../support/proc.js';
import { finish } from '../support/spawn.js';
import { fileTempDir, fileWith } from '../support/temp.js';

// A ready merge of workers that stay, into manifold's own stdout: the Python process starter
// writes each worker's whole records there itself (`TransportFactory.openRelayed`), one writer
// for all, so two workers' records never mix and none of the output crosses manifold. Each case
// is run beside MANIFOLD_STARTER=perl, where manifold reads and writes the output as before.

const tempDir = () => fileTempDir('manifold-fan-relay-');
const RELAYED = /output: the process starter writes each worker's whole records to stdout itself/;
const LINES = numbered(1, 100_000, 'r'.repeat(30));
const PERL = { env: { LC_ALL: 'C', MANIFOLD_STARTER: 'perl' } };

const inputFile = (content: string | Buffer) => fileWith('manifold-fan-relay-', content);

/** The records of `data` ended by `delimiter` (the last perhaps without it), sorted. */
function sorted(data: Buffer | string, delimiter = '\n'): string[] {
  const text = data.toString('latin1');
  const records = text.split(delimiter);
  if (records.at(-1) === '') records.pop();
  return records.sort();
}

/** `manifold fan args` run by bash, then `after` on its output: their exit statuses too. */
async function shell(args: string, after: string, env: NodeJS.ProcessEnv = {}) {
  const script = `"$NODE" "$MANIFOLD" fan ${args} ${after}; echo "statuses \${PIPESTATUS[*]}" >&2`;
  return run('bash', ['-c', script], '', {
    env: { ...C.env, ...env, NODE: process.execPath, MANIFOLD: manifold },
  });
}

// One at a time: each runs manifold three times on ~10 MB and sorts every record here, CPU-bound;
// concurrent with the six below they took 5-7 s in CI, and past 30 s on one CPU beside a busy loop.
describe('a ready merge written to stdout by the process starter: every cut', () => {
  it.each([
    ['lines', '\n'],
    ['nul', '\0'],
    ['delim:\\r\\n', '\r\n'],
  ] as const)(
    '--split %s, from a file and from a pipe: every record once, as manifold writes them',
    async (split, delimiter) => {
      const content = LINES.replaceAll('\n', delimiter);
      const file = inputFile(content);
      const args = ['-j', '3', '--split', split, '--block', '256K', '--verbose', '--', 'cat'];
      const [fromFile, fromPipe, read] = await Promise.all([
        run(manifold, ['fan', '--input', file, ...args], '', C),
        run(manifold, ['fan', ...args], content, C),
        run(manifold, ['fan', '--input', file, ...args], '', PERL),
      ]);
      expect([fromFile.exitCode, fromPipe.exitCode, read.exitCode]).toEqual([0, 0, 0]);
      expect(fromFile.stderr).toMatch(RELAYED);
      expect(fromPipe.stderr).toMatch(RELAYED);
      expect(read.stderr).not.toMatch(RELAYED);
      const want = sorted(content, delimiter);
      expect(sorted(fromFile.stdout, delimiter)).toEqual(want);
      expect(sorted(fromPipe.stdout, delimiter)).toEqual(want);
      expect(sorted(read.stdout, delimiter)).toEqual(want);
    },
  );
});

// Six tests side by side, most running manifold several times on megabytes: the slowest took
// 6.4-9.6 s of vitest's 30 s in the last three passing CI runs, and four timed out at load ~20
// here. A minute, for a hang.
describe.concurrent('a ready merge written to stdout by the process starter', {
  timeout: 60_000,
}, () => {
  it('records written a piece at a time by workers side by side never mix', async ({ expect }) => {
    // Each worker writes 30 records of 100,000 copies of its number, 1,000 bytes a write,
    // flushed each time, so that the two workers' writes interleave in time.
    const write =
      'perl -e \'$|=1; for (1..30) { print $ENV{MANIFOLD_WORKER} x 1000 for 1..100; print "\\n" }\'';
    // A block each (round-robin, one record a block): a worker starts with its first.
    const args = ['-j', '2', '-N', '1', '--dispatch', 'round-robin'];
    args.push('--input', inputFile('a\nb\n'), '--');
    for (const options of [C, PERL]) {
      const result = await run(
        manifold,
        ['fan', ...args, 'sh', '-c', `cat > /dev/null; ${write}`],
        '',
        options,
      );
      expect(result.exitCode).toBe(0);
      const records = result.stdout.toString().trimEnd().split('\n');
      expect(records).toHaveLength(60);
      for (const record of records) expect(record).toMatch(/^(1{100000}|2{100000})$/);
    }
  });

  it('a last record without its delimiter: kept after a good exit (--ok-status too), with the delimiter before more; dropped after a failure', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    const ends = (status: number, ...more: string[]) => [
      ...['fan', '-j', '2', '--block', '256K', ...more, '--input', file, '--', 'sh', '-c'],
      `cat > /dev/null; echo whole$MANIFOLD_WORKER; printf part$MANIFOLD_WORKER; exit ${status}`,
    ];
    for (const options of [C, PERL]) {
      const good = await run(manifold, ends(0), '', options);
      expect(good.exitCode).toBe(0);
      expect(sorted(good.stdout)).toEqual(['part1', 'part2', 'whole1', 'whole2']);
      // The output ends with one worker's last record as it wrote it, without its newline.
      expect(good.stdout.toString()).toMatch(/\npart[12]$/);
      const okStatus = await run(manifold, ends(3, '--ok-status', '3'), '', options);
      expect(okStatus.exitCode).toBe(0);
      expect(sorted(okStatus.stdout)).toEqual(['part1', 'part2', 'whole1', 'whole2']);
      const failed = await run(manifold, ends(3), '', options);
      expect(failed.exitCode).toBe(1);
      expect(failed.stdout.toString()).not.toMatch(/part/);
      expect(failed.stderr).toMatch(/exited with status 3/);
    }
  });

  it('an output record over --max-record: exit 1, named as manifold names it', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    const args = [
      ...['fan', '-j', '2', '--max-record', '2M', '--input', file, '--', 'sh', '-c'],
      'cat > /dev/null; head -c 6000000 /dev/zero | tr "\\0" x; echo',
    ];
    for (const options of [C, PERL]) {
      const result = await run(manifold, args, '', options);
      expect(result.exitCode).toBe(1);
      // What was seen when the limit was passed depends on how the pipe's reads fell: just over
      // it reads as the limit and what is over it (formatSizeOver), further as x.y or x MiB.
      expect(result.stderr).toMatch(
        /^manifold: worker [12] output: record is larger than the maximum record size 2 MiB \((2 MiB \+ [\d.]+ (B|KiB)|[\d.]+ MiB) so far\); raise it with --max-record$/m,
      );
      expect(result.stdout.toString()).not.toMatch(/x{6000000}/);
    }
  });

  it('a reader that stops (| head -n 1), and output appended (>>): as when manifold writes', async ({
    expect,
  }) => {
    const file = inputFile(LINES);
    for (const env of [{}, { MANIFOLD_STARTER: 'perl' }]) {
      const head = await shell(`-j 2 --input ${file} -- cat`, '| head -n 1', env);
      expect(head.stdout.toString()).toMatch(/^r{30}\d+\n$/);
      expect(head.stderr).toMatch(/statuses 141 0/);
      const out = join(tempDir(), 'out');
      writeFileSync(out, 'kept\n');
      const appended = await shell(`-j 2 --input ${file} -- cat`, `>> ${out}`, env);
      expect(appended.stderr).toMatch(/statuses 0/);
      const text = readFileSync(out, 'latin1');
      expect(text.startsWith('kept\n')).toBe(true);
      expect(sorted(text.slice(5))).toEqual(sorted(LINES));
    }
  });

  it('not for what reads the output: --tag, --stats, --merge ordered, --join of records of one size', async ({
    expect,
  }) => {
    // Whether the starter writes the output is settled from the options alone: a few lines
    // show it, the four runs side by side.
    const file = inputFile(numbered(1, 1000, 'r'.repeat(30)));
    const ways = [
      ['--tag'],
      ['--stats', join(tempDir(), 'stats.json')],
      ['--merge', 'ordered', '--one-to-one'],
      ['--join', 'fixed:32'],
    ];
    const results = await Promise.all(
      ways.map((more) =>
        run(
          manifold,
          ['fan', '-j', '2', '--verbose', ...more, '--input', file, '--', 'cat'],
          '',
          C,
        ),
      ),
    );
    results.forEach((result, i) => {
      expect(result.exitCode, ways[i]!.join(' ')).toBe(0);
      expect(result.stderr).not.toMatch(RELAYED);
    });
  });

  it('manifold killed mid-run: its starter and the workers it relays end, though stdout is not read', async ({
    expect,
  }) => {
    // `yes` writes forever and never reads: only its stdout's end can end it. The fan's stdout
    // is a pipe nobody reads, so the starter is blocked writing to it when manifold dies (and
    // may not have started the second worker: it waits with its reader).
    const pipe = openPipes(1)[0]!;
    onCleanup(() => closeAll([pipe.read]));
    const child = spawn(process.execPath, [manifold, 'fan', '-j', '2', '--', 'yes'], {
      stdio: ['pipe', pipe.write, 'pipe'],
    });
    closeSync(pipe.write);
    child.stdin!.end('a\nb\n');
    const below = () => descendants(child.pid!);
    const starter = () => below().filter((pid) => commandOf(pid).startsWith('/usr/bin/python3'));
    expect(
      await holdsWithin(
        () =>
          below().some((pid) => commandOf(pid) === 'yes') &&
          starter().some((pid) => writingIntoFullPipe(pid)),
        10_000,
      ),
    ).toBe(true);
    const procs = tracked(below());
    child.kill('SIGKILL');
    expect((await finish(child, 10_000)).hung).toBe(false);
    expect(await leftovers(procs, 5_000)).toEqual([]);
  });
});
