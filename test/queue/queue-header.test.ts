import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as libraryFan, type ManifoldError } from '../../orchestrator/index.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { numbered, sortedLines } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { runConfig } from '../support/pipeline.js';
import { coordinate, coordinateJoined, startWorker, unsaid } from '../support/queue.js';
import { sink } from '../support/sink.js';
import { spawnManifold, watch } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// --header and --joblog with --queue, on a real nats-server: the input's header reaches every
// queue worker's command before each block and is written once, as by the local fan; the job
// log has the local fan's rows, with the worker's machine and times; a job resumed with another
// header is refused.

const csv = (header: string, to: number) => Buffer.from(`${header}\n${numbered(1, to)}`);
const input = csv('id,name', 1_500);
// Digits to letters: the header passes as it is, so the workers' copies of it are recognised.
const letters = ['tr', '0-9', 'a-j'];
/** Block 2 fails its first try (the first to make `dir`), then runs as the others. */
const failsOnce = (dir: string) =>
  `if [ $MANIFOLD_BLOCK = 2 ] && mkdir ${dir}/once 2>/dev/null; then exit 5; fi; tr 0-9 a-j`;

type Row = Record<string, string>;

function rowsOf(path: string): { head: string; rows: Row[] } {
  const [head, ...lines] = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  const names = head!.split('\t');
  const rows = lines.map((line) =>
    Object.fromEntries(line.split('\t').map((v, i) => [names[i], v])),
  );
  return { head: head!, rows: rows.sort((a, b) => Number(a.Seq) - Number(b.Seq)) };
}

/** What a row says of its block and its output: the same from a queue's worker as locally. */
const shape = ({
  Seq,
  Send,
  Receive,
  Exitval,
  Signal,
  SendRecords,
  ReceiveRecords,
  Attempts,
  Status,
}: Row) => ({ Seq, Send, Receive, Exitval, Signal, SendRecords, ReceiveRecords, Attempts, Status });

describe('fan --queue --header --joblog', () => {
  // Job o: a per-block worker and a persistent one (--one-to-one), ordered; job r: two workers,
  // ready, a block failing once. Each its own test and server: together they took 30 s on CI.
  const jobs = [
    {
      name: 'o',
      args: ['--header', '1', '--merge', 'ordered', '--block', '2K'],
      workers: [
        [['-j', '2'], letters],
        [['-j', '1', '--one-to-one'], letters],
      ],
      local: [[], letters],
    },
    {
      name: 'r',
      args: ['--header', '1', '--merge', 'ready', '--block', '2K', '--retries', '1'],
      workers: [1, 2].map(() => [['-j', '2', '--shell'], ['FAILS_ONCE']]),
      local: [['--shell'], ['FAILS_ONCE']],
    },
  ] as const;

  it.each(jobs)(
    'job $name, two workers: the output and the job log as the local fan',
    async ({ name, args, workers: given, local }) => {
      const server = await startNats();
      const dir = tempDir('manifold-queue-header-');
      for (const sub of ['q', 'l']) mkdirSync(join(dir, sub));
      const command = (argv: readonly string[], where: string) =>
        argv.map((arg) => (arg === 'FAILS_ONCE' ? failsOnce(`${dir}/${where}`) : arg));
      const workers = given.map(([options, argv]) =>
        startWorker(server.url, [...options, '--job', name, '--verbose'], command(argv, 'q')),
      );
      const log = (which: string) => join(dir, `${which}.tsv`);
      const queuedArgs = ['--job', name, ...args, '--joblog', log('q')];
      const [queued, locally] = await Promise.all([
        coordinateJoined(server.url, queuedArgs, input, workers),
        fan([...args, '--joblog', log('l'), ...local[0], '--', ...command(local[1], 'l')], input),
      ]);
      if (name === 'o') {
        expect(ok(queued)).toEqual(OK);
        expect(byteDiff(queued.stdout, locally.stdout)).toEqual(sameBytes(locally.stdout));
      } else {
        expect(queued.exitCode).toBe(0);
        expect(queued.stdout.toString().startsWith('id,name\n')).toBe(true);
        expect(sortedLines(queued.stdout)).toEqual(sortedLines(locally.stdout));
      }
      const q = rowsOf(log('q'));
      const l = rowsOf(log('l'));
      expect(q.head).toBe(l.head);
      expect(q.rows.map(shape)).toEqual(l.rows.map(shape));
      for (const row of q.rows) {
        // Host: the worker's machine; Worker: its slot there; the times, by its clock.
        expect(row.Host).toBe(hostname());
        expect(['1', '2']).toContain(row.Worker);
        expect(Number(row.Starttime)).toBeGreaterThan(Date.now() / 1000 - 120);
        expect(Number(row.JobRuntime)).toBeGreaterThanOrEqual(0);
      }
      // The failed try and the one after it: one row, as locally, its two tries counted.
      if (name === 'r') expect(q.rows[1]).toMatchObject({ Seq: '2', Attempts: '2', Status: 'ok' });
      for (const worker of workers) {
        const { exitCode, stderr } = await worker.done();
        expect({ exitCode, stderr: unsaid(stderr) }).toEqual({ exitCode: 0, stderr: '' });
      }
    },
  );

  it('a job resumed with another header, or another --header, is refused in one line (exit 2); with its own, it finishes', async () => {
    const server = await startNats();
    const args = ['--job', 'h', '--header', '1', '--block', '2K', '--merge', 'ordered'];
    // A job left on the server once its header was given: its coordinator killed, no worker came.
    const first = spawnManifold(['fan', '--queue', server.url, ...args, '--verbose']);
    first.stdin!.end(input);
    await watch(first.stderr!).waitFor(
      /header: "id,name\\n" \(1 record\), given to the workers/,
      1,
    );
    first.kill('SIGKILL');
    const otherInput = csv('id,label', 1_500);
    const stage = { queue: server.url, job: 'h', header: 1, block: '2K', merge: 'ordered' };
    const config = writeConfig(tempDir(), { stages: [{ fan: stage }] }, 'h.yaml');
    const [other, count, library, configured] = await Promise.all([
      coordinate(server.url, args, otherInput),
      coordinate(server.url, [...args, '--header', '2'], input),
      libraryFan(stage as never, { input: Readable.from([otherInput]), output: sink() }).catch(
        (error: unknown) => error as ManifoldError,
      ),
      runConfig(config, otherInput),
    ]);
    // The library and a config's run say the same, as a usage error; each names its option as
    // its caller spells it (`give another job`, not the command line's `--job`).
    expect(library).toMatchObject({ code: 'manifold.usage', exitCode: 2 });
    expect(`manifold: ${(library as ManifoldError).message}\n`).toBe(
      other.stderr.replace(/--job\n$/, 'job\n'),
    );
    expect(configured.exitCode).toBe(2);
    expect(configured.stderr).toBe(other.stderr.replace(/--job\n$/, 'job\n'));
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toBe(
      'manifold: job "h" on the queue was started with another header ("id,name\\n" (1 record), this input\'s "id,label\\n" (1 record)): resume it with the same input, or give another --job\n',
    );
    expect(other.stdout.length).toBe(0);
    expect(count.exitCode).toBe(2);
    expect(count.stderr).toBe(
      'manifold: job "h" on the queue was started with --header 1: resume it with the same options, or give another --job\n',
    );
    // The job was kept through every refusal: resumed with its own header, it finishes.
    const worker = startWorker(server.url, ['-j', '2', '--job', 'h'], letters);
    const [resumed, local] = await Promise.all([
      coordinate(server.url, [...args, '--verbose'], input),
      fan([...args.slice(2), '--', ...letters], input),
    ]);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toMatch(/^manifold: resuming job "h" on /m);
    expect(resumed.stderr).toMatch(
      /^manifold: header: "id,name\\n" \(1 record\), the job's already$/m,
    );
    expect(byteDiff(resumed.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });
});
