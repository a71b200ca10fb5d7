import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { descendants, leftovers, tracked } from '../support/proc.js';
import { coordinate, startWorker } from '../support/queue.js';
import { spawnManifold, waitForExit, watch, within } from '../support/spawn.js';

// `manifold worker --queue`'s own options (--ok-status, --tag, --per-block, --verbose), and
// signals to either side: a worker's blocks go back at once, a coordinator's job stays.

const input = Buffer.from(numbered(1, 3_000));

describe('manifold worker --queue', () => {
  it('--ok-status: statuses that are not failures on the worker; without it the block fails', async () => {
    const server = await startNats();
    const lenient = startWorker(
      server.url,
      ['--job', 'ok', '-j', '2', '--ok-status', '0,1'],
      ['grep', '-x', '2999'],
    );
    const strict = startWorker(server.url, ['--job', 'strict', '-j', '2'], ['grep', '-x', '2999']);
    const [ok, failed] = await Promise.all([
      coordinate(server.url, ['--job', 'ok', '--block', '4K'], input),
      coordinate(server.url, ['--job', 'strict', '--block', '4K'], input),
    ]);
    expect([ok.exitCode, ok.stdout.toString(), ok.stderr]).toEqual([0, '2999\n', '']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/exited with status 1 \(try 1 of 1\) on block \d+ \(records /);
    for (const worker of [lenient, strict]) expect((await worker.done()).exitCode).toBe(0);
  });

  it('--tag prefixes its processes’ stderr with their slot; --verbose says what it waits for', async () => {
    const server = await startNats();
    const worker = startWorker(
      server.url,
      ['--job', 't', '-j', '1', '--per-block', '--tag', '--verbose', '--shell'],
      ['cat; echo note >&2'],
    );
    await worker.stderr.waitFor(/waiting for job/, 1);
    const result = await coordinate(
      server.url,
      ['--job', 't', '--block', '4K', '--merge', 'ordered'],
      input,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout.equals(input)).toBe(true);
    const { exitCode, stderr } = await worker.done();
    expect(exitCode).toBe(0);
    const lines = stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`manifold: waiting for job "t" on ${server.url}`);
    expect(lines[1]).toBe('manifold: job "t" found: serving it with 1 worker');
    expect(lines.slice(2)).toEqual(Array(Math.ceil(input.length / 4096)).fill('1\tnote'));
  });

  it("{#} and {%} in its command: the job's block number and its own slot, as its environment's", async () => {
    const server = await startNats();
    const echo = 'echo {#} {%} $MANIFOLD_BLOCK $MANIFOLD_WORKER $(wc -l)';
    const worker = startWorker(server.url, ['--job', 'n', '-j', '2', '--shell'], [echo]);
    const result = await coordinate(
      server.url,
      ['--job', 'n', '--block', '4K', '--merge', 'ordered'],
      input,
    );
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const rows = result.stdout.toString().split('\n').slice(0, -1);
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.map((row) => row.split(' ')[0])).toEqual(rows.map((_, i) => String(i + 1)));
    let lines = 0;
    for (const row of rows) {
      const [block, slot, envBlock, envSlot, count] = row.split(' ');
      expect([block, slot]).toEqual([envBlock, envSlot]);
      expect(['1', '2']).toContain(slot);
      lines += Number(count);
    }
    expect(lines).toBe(3_000);
    expect((await worker.done()).exitCode).toBe(0);
  });

  it('SIGTERM: its block goes back to the queue at once (not after the ack wait), and it exits 143', async () => {
    const server = await startNats();
    const coordinator = coordinate(
      server.url,
      ['--block', '4K', '--merge', 'ordered', '--ack-wait', '5m'],
      input,
    );
    const leaving = startWorker(
      server.url,
      ['-j', '1', '--shell'],
      ['echo busy >&2; exec sleep 1000'],
    );
    await leaving.stderr.waitFor(/^busy$/, 1);
    leaving.child.kill('SIGTERM');
    expect((await leaving.done()).exitCode).toBe(143);
    const worker = startWorker(server.url, ['-j', '2'], ['cat']);
    const result = await within(coordinator, 15_000, 'the block waited for its ack wait');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.equals(input)).toBe(true);
    expect((await worker.done()).exitCode).toBe(0);
  });
  it('SIGTERM to a worker whose command ignores it: the command is killed after a grace, as by the local fan, not left running', async () => {
    const server = await startNats();
    const coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'deaf']);
    coordinator.stdin!.end(numbered(1, 10));
    const deaf = startWorker(
      server.url,
      ['--job', 'deaf', '-j', '1', '--shell'],
      ['trap "" TERM; echo busy >&2; exec sleep 1000'],
    );
    await deaf.stderr.waitFor(/^busy$/, 1);
    const below = tracked(descendants(deaf.child.pid!));
    expect(below.length).toBeGreaterThan(0);
    deaf.child.kill('SIGTERM');
    expect((await deaf.done()).exitCode).toBe(143);
    // Killed by the time its worker has exited (before, it slept on, its worker gone); a
    // moment more for its parent, the process starter, to reap it.
    expect(await leftovers(below, 10_000)).toEqual([]);
    coordinator.kill('SIGKILL');
  });
});

describe('manifold fan --queue and signals', () => {
  it('SIGTERM stops the coordinator (143) and leaves its job on the server, to be resumed', async () => {
    const server = await startNats();
    const child = spawnManifold([
      'fan',
      '--queue',
      server.url,
      '--job',
      'kept',
      '--verbose',
      '--block',
      '4K',
    ]);
    child.stdin!.end(input);
    await watch(child.stderr!).waitFor(/started job "kept"/, 1);
    child.kill('SIGTERM');
    expect((await waitForExit(child)).exitCode).toBe(143);
    const status = await run(manifold, [
      'queue',
      'status',
      '--queue',
      server.url,
      '--job',
      'kept',
      '--json',
    ]);
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout.toString())[0]).toMatchObject({ job: 'kept', done: 0 });
    // Resumed, the job must be cut as it was: the same blocks, or its answers are not theirs.
    const other = await coordinate(server.url, ['--job', 'kept', '--block', '8K'], input);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toBe(
      'manifold: job "kept" on the queue was started with --block 4096: resume it with the same options, or give another --job\n',
    );
  });
});
