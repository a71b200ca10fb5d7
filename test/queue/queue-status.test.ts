import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { jobNames } from '../../orchestrator/workers/queue/names.js';
import { manifold, run } from '../helpers.js';
import { linesOf, numbered } from '../support/lines.js';
import { startNats, startNatsWithDeafUser } from '../support/nats.js';
import { coordinate, gate, startWorker } from '../support/queue.js';
import { spawnManifold, waitForExit, watch, within } from '../support/spawn.js';

// `manifold queue status` on a job held at a gate: what is published, pending, in flight,
// redelivered (a worker lost), done; and a job finished is gone. `manifold queue rm` removes
// a job its coordinator left.

const status = async (url: string, ...args: string[]) => {
  const result = await run(manifold, ['queue', 'status', '--queue', url, ...args]);
  expect(result.stderr).toBe('');
  return result;
};

describe('manifold queue status', () => {
  it('counts the blocks of a job as they go, a lost worker’s block as redelivered', async () => {
    const server = await startNats();
    const input = Buffer.from(numbered(1, 3_000)); // 7 blocks of 2K
    const { command, open, close } = gate();
    const lost = startWorker(server.url, ['-j', '1', '--job', 'st', '--shell'], command);
    const coordinator = coordinate(
      server.url,
      ['--job', 'st', '--block', '2K', '--ack-wait', '1s'],
      input,
    );
    await lost.stderr.waitFor(/^start 1$/, 1);
    lost.kill();
    const worker = startWorker(server.url, ['-j', '7', '--job', 'st', '--shell'], command);
    // Blocks 2 to 7 fill 6 of its slots; block 1 comes back to the seventh once the lost worker's
    // ack wait has run out.
    await worker.stderr.waitFor(/^start 1$/, 1);
    const json = await status(server.url, '--job', 'st', '--json');
    const [counts] = JSON.parse(json.stdout.toString());
    // The lost worker had pulled its next block too, or was about to; on a busy machine a block
    // may also outlast its ack wait: at least the lost block is redelivered.
    expect(counts).toMatchObject({ job: 'st', published: 7, done: 0, failed: 0 });
    expect(counts.redelivered).toBeGreaterThanOrEqual(1);
    expect(counts.inFlight).toBeGreaterThanOrEqual(1);
    const table = (await status(server.url)).stdout.toString().split('\n');
    expect(table[0]).toBe('job  published  pending  in flight  redelivered  done  failed');
    expect(table[1]).toMatch(/^st {3}7 {10}\d+ +\d+ +[1-7] +0 {5}0$/);
    open(100);
    expect((await coordinator).exitCode).toBe(0);
    close();
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
    expect((await status(server.url, '--json')).stdout.toString()).toBe('[]\n');
    const none = await run(manifold, ['queue', 'status', '--queue', server.url, '--job', 'st']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe(`manifold: no job "st" on the queue at ${server.url}\n`);
  });
});

describe('manifold queue rm', () => {
  it('lists a half-made job (a stream made, its coordinator gone before the rest), saying so', async () => {
    const server = await startNats();
    // As a coordinator killed between its first stream and the rest leaves it; and one killed
    // after the results stream alone (another order, or an older manifold).
    const conn = await connectQueue(server.url);
    const half = jobNames('half');
    await conn.jsm.streams.add({ name: half.blocksStream, subjects: [half.blocksSubject] });
    const other = jobNames('other');
    await conn.jsm.streams.add({ name: other.resultsStream, subjects: [other.doneSubject] });
    await conn.close();
    const table = await run(manifold, ['queue', 'status', '--queue', server.url]);
    expect(table.exitCode).toBe(0);
    expect(linesOf(table.stdout)).toEqual([
      'job    published  pending  in flight  redelivered  done  failed',
      'half   0          -        -          -            -     -',
      'other  -          -        -          -            0     0',
    ]);
    const note = (job: string) =>
      `manifold: job "${job}" is half made (its coordinator is making it, or stopped while it did): run its coordinator again, or remove it with manifold queue rm`;
    expect(linesOf(table.stderr)).toEqual([note('half'), note('other')]);
    const one = await run(manifold, [
      'queue',
      'status',
      '--queue',
      server.url,
      '--job',
      'half',
      '--json',
    ]);
    expect(one.exitCode).toBe(0);
    expect(JSON.parse(one.stdout.toString())).toEqual([
      {
        job: 'half',
        made: false,
        published: 0,
        pending: null,
        inFlight: null,
        redelivered: null,
        done: null,
        failed: null,
      },
    ]);
    expect(
      await run(manifold, ['queue', 'rm', '--queue', server.url, '--job', 'half']),
    ).toMatchObject({ exitCode: 0 });
  });

  it('removes a job its coordinator left: its worker leaves, status 0; no such job is one line, exit 1', async () => {
    const server = await startNats();
    const rm = (...args: string[]) =>
      run(manifold, ['queue', 'rm', '--queue', server.url, ...args]);
    // A job left on the server: its coordinator killed before its input ended.
    const left = spawnManifold(['fan', '--queue', server.url, '--job', 'left', '--verbose']);
    left.stdin!.write(numbered(1, 100));
    await watch(left.stderr!).waitFor(/^manifold: started job "left"/, 1);
    left.kill('SIGKILL');
    await waitForExit(left);
    const worker = startWorker(server.url, ['--job', 'left', '--verbose'], ['cat']);
    await worker.stderr.waitFor(/^manifold: job "left" found/, 1);
    const removed = await rm('--job', 'left');
    expect(removed).toMatchObject({ exitCode: 0, stderr: '' });
    expect(removed.stdout.length).toBe(0);
    expect((await status(server.url, '--json')).stdout.toString()).toBe('[]\n');
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
    const none = await rm('--job', 'left');
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe(`manifold: no job "left" on the queue at ${server.url}\n`);
    // A job removed under its running coordinator: it stops, in one line, exit 1.
    const live = spawnManifold(['fan', '--queue', server.url, '--job', 'live', '--verbose']);
    live.stdin!.write(numbered(1, 100));
    const said = watch(live.stderr!);
    await said.waitFor(/^manifold: started job "live"/, 1);
    expect(await rm('--job', 'live')).toMatchObject({ exitCode: 0, stderr: '' });
    expect((await within(waitForExit(live), 10_000, 'the coordinator went on')).exitCode).toBe(1);
    // --verbose's lines aside, one line.
    const lines = linesOf(said.text).filter((line) => !/started job|blocks are cut/.test(line));
    expect(lines).toEqual([
      `manifold: job "live" was removed from the queue at ${server.url} while its coordinator ran (manifold queue rm?)`,
    ]);
    // Which job is named, never taken for the default's.
    const unnamed = await rm();
    expect(unnamed.exitCode).toBe(2);
    expect(unnamed.stderr).toMatch(/^manifold: [^\n]*--job[^\n]*\n$/);
  });

  it('a job removed under a coordinator that cannot hear the removal (no advisories): it finds it by looking, one line, exit 1', async () => {
    // The server's advisory that a stream is gone is not a promise: nats-server 2.9.10 sent none
    // for about one removal in forty, and a coordinator denied it never hears one: waiting on
    // the advisory, it would wait for the rest of its input for ever.
    const { server, deaf } = await startNatsWithDeafUser();
    const live = spawnManifold(['fan', '--queue', deaf, '--job', 'live', '--verbose']);
    live.stdin!.write(numbered(1, 100));
    const said = watch(live.stderr!);
    await said.waitFor(/^manifold: started job "live"/, 1);
    const boss = server.url.replace('nats://', 'nats://boss:b@');
    const removed = await run(manifold, ['queue', 'rm', '--queue', boss, '--job', 'live']);
    expect(removed).toMatchObject({ exitCode: 0, stderr: '' });
    const end = await within(
      waitForExit(live),
      20_000,
      () => `the coordinator went on:\n${said.text}`,
    );
    expect(end.exitCode).toBe(1);
    const lines = linesOf(said.text).filter((line) => !/started job|blocks are cut/.test(line));
    // Its password is not said.
    expect(lines).toEqual([
      `manifold: job "live" was removed from the queue at ${server.url} while its coordinator ran (manifold queue rm?)`,
    ]);
  });

  it('a job removed once its coordinator has every answer, its output still being written: the run succeeded, exit 0', async () => {
    const server = await startNats();
    // One block (under the 1 MiB default), whose output is more than stdout's pipe holds.
    const input = numbered(1, 60_000);
    const worker = startWorker(server.url, ['--job', 'whole'], ['cat']);
    const coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'whole']);
    coordinator.stdin!.end(input);
    const said = watch(coordinator.stderr!);
    // Its first output: the one block's answer is in hand, and the rest waits for this reader.
    const chunks: Buffer[] = [];
    const stdout = coordinator.stdout!;
    await new Promise<void>((resolve) =>
      stdout.once('data', (chunk: Buffer) => {
        stdout.pause();
        chunks.push(chunk);
        resolve();
      }),
    );
    // Another coordinator of the job finishing first removes it so, or `manifold queue rm`.
    const removed = await run(manifold, ['queue', 'rm', '--queue', server.url, '--job', 'whole']);
    expect(removed).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    stdout.resume();
    const end = await within(waitForExit(coordinator), 20_000, 'the coordinator ended');
    expect(said.text).toBe('');
    expect(end.exitCode).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe(input);
  });
});
