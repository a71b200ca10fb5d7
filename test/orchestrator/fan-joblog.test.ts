import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { finish, spawnManifold, watch, within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// --joblog: a TSV row per block as blocks finish, GNU parallel's columns first. Inputs are
// 16-byte numbered lines: with --block 1K, block k holds records 64(k-1)+1 to 64k.

const COLUMNS =
  'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tWorker\tSendRecords\tReceiveRecords\tAttempts\tStatus';

type Row = Record<string, string>;

function rowsOf(text: string): Row[] {
  const [head, ...lines] = text.split('\n').filter(Boolean);
  expect(head).toBe(COLUMNS);
  const names = head!.split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((v, i) => [names[i], v])));
}

const bySeq = (rows: Row[]) => [...rows].sort((a, b) => Number(a.Seq) - Number(b.Seq));

describe('--joblog', () => {
  it('writes a header row and one row per block: bytes and records in and out, times, worker, status', async () => {
    const log = join(tempDir('manifold-fan-joblog-'), 'jobs.tsv');
    const before = Date.now() / 1000;
    const result = await fan(
      ['-j', '2', '--block', '1K', '--joblog', log, '--', 'head', '-n', '10'],
      records(1, 640),
    );
    expect(ok(result)).toEqual(OK);
    const rows = bySeq(rowsOf(readFileSync(log, 'utf8')));
    expect(rows.map((row) => row.Seq)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    for (const row of rows) {
      expect(row).toEqual({
        ...row,
        Host: ':',
        Send: '1024',
        Receive: '160',
        Exitval: '0',
        Signal: '0',
        SendRecords: '64',
        ReceiveRecords: '10',
        Attempts: '1',
        Status: 'ok',
      });
      expect(['1', '2']).toContain(row.Worker);
      expect(Number(row.Starttime)).toBeGreaterThanOrEqual(Math.floor(before));
      expect(Number(row.Starttime)).toBeLessThanOrEqual(Date.now() / 1000);
      expect(Number(row.JobRuntime)).toBeGreaterThanOrEqual(0);
    }
  }, 20_000);

  it("broadcast: a row for each worker's copy of a block, Seq the block, Worker its own", async () => {
    const log = join(tempDir('manifold-fan-joblog-'), 'jobs.tsv');
    const args = ['-j', '2', '--block', '1K', '--dispatch', 'broadcast', '--per-block'];
    const result = await fan([...args, '--joblog', log, '--', 'wc', '-l'], records(1, 128));
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('64\n'.repeat(4));
    const rows = bySeq(rowsOf(readFileSync(log, 'utf8')));
    const jobs = rows.map((row) => `${row.Seq}/${row.Worker}/${row.SendRecords}`).sort();
    expect(jobs).toEqual(['1/1/64', '1/2/64', '2/1/64', '2/2/64']);
  }, 20_000);

  it('--stats counts the output as written (tags in, left-out headers not), the log what workers wrote', async () => {
    const dir = tempDir('manifold-fan-joblog-');
    const [log, stats] = [join(dir, 'jobs.tsv'), join(dir, 'stats.json')];
    const input = records(1, 640);
    const args = ['-j', '2', '--block', '1K', '--per-block', '--tag', '--header', '1'];
    const result = await fan([...args, '--joblog', log, '--stats', stats, '--', 'cat'], input);
    expect(ok(result)).toEqual(OK);
    const doc = JSON.parse(readFileSync(stats, 'utf8')) as {
      totals: { bytesOut: number };
      workers: { worker: number; bytesOut: number }[];
    };
    const rows = rowsOf(readFileSync(log, 'utf8'));
    const header = input.slice(0, input.indexOf('\n') + 1);
    expect(doc.totals.bytesOut).toBe(result.stdout.length);
    // Each worker's part: its lines, each after its number and a TAB; the header once, untagged.
    for (const { worker, bytesOut } of doc.workers) {
      const mine = result.stdout
        .toString()
        .split('\n')
        .filter((line) => line.startsWith(`${worker}\t`));
      expect(bytesOut).toBe(mine.reduce((sum, line) => sum + line.length + 1, 0));
    }
    expect(doc.workers.reduce((sum, w) => sum + w.bytesOut, 0)).toBe(
      doc.totals.bytesOut - header.length - 1,
    );
    // The log: every block's bytes as its worker wrote them, its header too.
    const received = rows.reduce((sum, row) => sum + Number(row.Receive), 0);
    expect(received).toBe(input.length - header.length + rows.length * header.length);
  }, 20_000);

  it("'-' writes the rows to stderr, not to a file named '-' (as --stats -)", async () => {
    const dir = tempDir('manifold-fan-joblog-');
    const result = await fan(
      ['-j', '2', '--block', '1K', '--joblog', '-', '--', 'cat'],
      records(1, 128),
      { cwd: dir },
    );
    expect(result.exitCode).toBe(0);
    // Blocks come out as they are ready, in any order.
    const lines = (text: string) => text.split('\n').sort();
    expect(lines(result.stdout.toString())).toEqual(lines(records(1, 128)));
    expect(existsSync(join(dir, '-'))).toBe(false);
    const rows = bySeq(rowsOf(result.stderr));
    expect(rows.map((row) => [row.Seq, row.SendRecords, row.Status])).toEqual([
      ['1', '64', 'ok'],
      ['2', '64', 'ok'],
    ]);
  }, 20_000);

  it('counts attempts, and writes a block that failed for good with its exit value and why', async () => {
    const dir = tempDir('manifold-fan-joblog-');
    const log = join(dir, 'jobs.tsv');
    // Block 2 fails once, then runs; block 4 always fails with status 3.
    const script = `if [ $MANIFOLD_BLOCK = 2 ] && mkdir ${dir}/once 2>/dev/null; then exit 5; fi; if [ $MANIFOLD_BLOCK = 4 ]; then exit 3; fi; cat`;
    const result = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--retries',
        '1',
        '--halt',
        'never',
        '--joblog',
        log,
        '--shell',
        '--',
        script,
      ],
      records(1, 640),
    );
    expect(result.exitCode).toBe(1);
    const rows = bySeq(rowsOf(readFileSync(log, 'utf8')));
    expect(rows).toHaveLength(10);
    expect(rows[1]).toMatchObject({
      Seq: '2',
      Attempts: '2',
      Exitval: '0',
      Status: 'ok',
      Receive: '1024',
    });
    expect(rows[3]).toMatchObject({
      Seq: '4',
      Attempts: '2',
      Exitval: '3',
      Signal: '0',
      Status: 'failed: exited with status 3',
    });
  }, 20_000);

  it('the exit value of a status --ok-status accepts; the signal of a timed-out worker', async () => {
    const log = join(tempDir('manifold-fan-joblog-'), 'jobs.tsv');
    const grep = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--ok-status',
        '0,1',
        '--joblog',
        log,
        '--',
        'grep',
        '000000000000100',
      ],
      records(1, 640),
    );
    expect(ok(grep)).toEqual(OK);
    const rows = bySeq(rowsOf(readFileSync(log, 'utf8')));
    expect(rows.map((row) => [row.Exitval, row.ReceiveRecords, row.Status])).toEqual([
      ['1', '0', 'ok'],
      ['0', '1', 'ok'],
      ...new Array(8).fill(['1', '0', 'ok']),
    ]);
    const hung = await fan(
      [
        '-j',
        '1',
        '--block',
        '1K',
        '--timeout',
        '200ms',
        '--joblog',
        log,
        '--shell',
        '--',
        'exec sleep 1000',
      ],
      records(1, 64),
      { timeout: 20_000 },
    );
    expect(hung.exitCode).toBe(1);
    /** The log's one row: killed (-1) past the timeout, by `signal`. */
    const timedOut = (signal: string) => [
      expect.objectContaining({
        ...{ Seq: '1', Exitval: '-1', Signal: signal },
        Status: 'failed: timed out after 200ms',
      }),
    ];
    // Asked first, as parallel's --termseq asks: SIGTERM (it was SIGKILL, 9).
    expect(rowsOf(readFileSync(log, 'utf8'))).toEqual(timedOut('15'));
    // A thread ended so is killed too, with no signal: its row said Node's exit code 1, as if
    // the filter had exited 1 (QA).
    const spin = ['--threads', '--', 'mf-map', '(() => { for (;;); })()'];
    const thread = await fan(['-j', '1', '--timeout', '200ms', '--joblog', log, ...spin], 'a\n', {
      timeout: 20_000,
    });
    expect(thread.exitCode).toBe(1);
    expect(rowsOf(readFileSync(log, 'utf8'))).toEqual(timedOut('0'));
  }, 20_000);

  it('rows are written as blocks finish, while later blocks still run', async () => {
    const dir = tempDir('manifold-fan-joblog-');
    // The log is a named pipe the test reads as manifold writes it. Block 2 waits until the test
    // has read block 1's row.
    const fifo = join(dir, 'jobs.fifo');
    execFileSync('mkfifo', [fifo]);
    const log = watch(createReadStream(fifo));
    const script = `if [ $MANIFOLD_BLOCK = 2 ]; then while [ ! -e ${dir}/go ]; do sleep 0.01; done; fi; cat`;
    const child = spawnManifold([
      ...['fan', '-j', '2', '--per-block', '--block', '1K', '--joblog', fifo],
      ...['--shell', '--', script],
    ]);
    child.stdin!.end(records(1, 128));
    const [first] = await within(
      log.waitFor(/^1\t/, 1),
      10_000,
      () => `no row for block 1: ${log.text}`,
    );
    expect(first).toMatch(/^1\t:\t[\d.]+\t[\d.]+\t1024\t1024\t0\t0\t[12]\t64\t64\t1\tok$/);
    expect(log.text).not.toMatch(/^2\t/m);
    writeFileSync(join(dir, 'go'), '');
    const end = await finish(child, 10_000);
    expect({ exitCode: end.exitCode, stderr: end.stderr }).toEqual({ exitCode: 0, stderr: '' });
    await log.waitFor(/^2\t/, 1);
    expect(bySeq(rowsOf(log.text)).map((row) => row.Seq)).toEqual(['1', '2']);
  }, 20_000);

  it('a FIFO with no reader stops the run before it starts (exit 2, one line), never waits', async () => {
    // Its open waited for a reader on the event loop: SIGINT and SIGTERM did nothing.
    const dir = tempDir('manifold-fan-joblog-');
    const fifo = join(dir, 'jobs.fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawnManifold(['fan', '--joblog', fifo, '--', 'cat']);
    child.stdin!.end(records(1, 10));
    const end = await finish(child, 10_000);
    expect({ hung: end.hung, exitCode: end.exitCode, stderr: end.stderr }).toEqual({
      hung: false,
      exitCode: 2,
      stderr: `manifold: cannot write the job log ${fifo}: a FIFO with no reader: start its reader first\n`,
    });
  });

  it('a log that cannot be written stops the run before it starts (exit 2, one line)', async () => {
    const dir = tempDir('manifold-fan-joblog-');
    const result = await fan(
      [
        '--joblog',
        join(dir, 'no/such/dir/jobs.tsv'),
        '--per-block',
        '--shell',
        '--',
        `touch ${dir}/ran; cat`,
      ],
      'a\n',
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^manifold: cannot write the job log .*no\/such\/dir\/jobs.tsv: no such directory\n$/,
    );
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    // Named as a shell takes it back: a newline was said as a space (QA).
    const odd = await fan(['--joblog', `${dir}/a\nb/jobs.tsv`, '--', 'cat'], 'a\n');
    expect([odd.exitCode, odd.stderr]).toEqual([
      2,
      `manifold: cannot write the job log $'${dir}/a\\nb/jobs.tsv': no such directory\n`,
    ]);
  });
});
