import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { jobNames, WORKERS_CONSUMER } from '../../orchestrator/workers/queue/names.js';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats, startNatsWithDeafUser } from '../support/nats.js';
import { descendants, leftovers, tracked } from '../support/proc.js';
import { startWorker } from '../support/queue.js';
import { finish, spawnManifold, spawnShell, waitForExit, watch, within } from '../support/spawn.js';
import { fileWith, tempDir } from '../support/temp.js';

// `manifold fan --queue ... | head -1`: once the coordinator's reader has gone, no output of its
// job can be delivered. It removes the job, so its workers leave as on `manifold queue rm`, and
// dies of SIGPIPE as `cat` does, not leaving the job on the server, its workers waiting on it
// for ever.

describe('a coordinator whose reader goes away', () => {
  it('`| head -1`: the coordinator dies of SIGPIPE, the job is removed, its worker leaves, status 0', async () => {
    const server = await startNats();
    // Some 1.3 MB of output, far past what a pipe holds once head has gone.
    const input = fileWith('manifold-queue-pipe-', numbered(1, 150_000));
    const worker = startWorker(server.url, ['--job', 'piped', '-j', '2'], ['cat']);
    const line = `"${manifold}" fan --queue ${server.url} --job piped --block 10K < "${input}" | head -1; echo "status \${PIPESTATUS[*]}" >&2`;
    const piped = await finish(spawnShell(`exec bash -c '${line.replace(/'/g, "'\\''")}'`), 30_000);
    expect(piped.hung).toBe(false);
    // A record of the input, whichever block was answered first: the merge is ready, not
    // ordered, and the worker runs two blocks at once (block 2's line 2270 came first once).
    const first = piped.stdout.toString();
    expect(first).toMatch(/^\d+\n$/);
    expect(Number(first)).toBeGreaterThanOrEqual(1);
    expect(Number(first)).toBeLessThanOrEqual(150_000);
    // As `cat big | head -1` says: the writer killed by SIGPIPE, quietly.
    expect(piped.stderr).toBe('status 141 0\n');
    expect(await worker.done()).toMatchObject({ exitCode: 0, stderr: '' });
    const status = await run(manifold, ['queue', 'status', '--queue', server.url, '--json']);
    expect(status).toMatchObject({ exitCode: 0, stderr: '' });
    expect(status.stdout.toString()).toBe('[]\n');
  });

  it('`| head -1` while its worker runs blocks: the worker stops them and leaves at once, status 0', async () => {
    const server = await startNats();
    const input = fileWith('manifold-queue-pipe-', numbered(1, 150_000));
    // Blocks 1-20 (some 200 KB, more than a pipe and head's read hold) are answered; the blocks
    // after them would run for ten minutes.
    const worker = startWorker(
      server.url,
      ['--job', 'busy', '-j', '2', '--shell'],
      ['[ "$MANIFOLD_BLOCK" -gt 20 ] && exec sleep 600; cat'],
    );
    const line = `"${manifold}" fan --queue ${server.url} --job busy --block 10K --merge ordered < "${input}" | head -1; echo "status \${PIPESTATUS[*]}" >&2`;
    const piped = await finish(spawnShell(`exec bash -c '${line.replace(/'/g, "'\\''")}'`), 30_000);
    expect([piped.hung, piped.stdout.toString(), piped.stderr]).toEqual([
      false,
      '1\n',
      'status 141 0\n',
    ]);
    // Its blocks' processes, sleeping, are stopped with it: they hold its stderr till they end.
    expect(await worker.done(10_000)).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('the job removed while every slot of its worker is busy and a block waits in hand: the worker leaves at once', async () => {
    const server = await startNats();
    await removedWhileBusy(server.url, server.url);
  });

  it('the same with a worker that cannot hear the removal (no advisories): it finds it by looking, and leaves', async () => {
    // The server's advisory that the job's stream is gone is not a promise: nats-server 2.9.10
    // sent none for about one removal in forty (the test above, under load), and a worker
    // denied it (its permissions) never hears one: waiting on the advisory, it would run
    // block 2 for its ten minutes.
    const { boss, deaf } = await startNatsWithDeafUser();
    await removedWhileBusy(boss, deaf);
  });

  it('its reader gone while the server is away: the job cannot be removed, the server-gone line, exit 1', async () => {
    const server = await startNats();
    const input = fileWith('manifold-queue-pipe-', numbered(1, 150_000));
    const worker = startWorker(
      server.url,
      ['--job', 'away', '-j', '2', '--shell'],
      ['echo "start $MANIFOLD_BLOCK" >&2; cat'],
    );
    // The reader takes a byte, then holds the pipe unread until the test lets it go.
    const hold = join(tempDir(), 'hold');
    execFileSync('mkfifo', [hold]);
    const reader = `{ head -c 1 > /dev/null; echo reading >&2; read go < "${hold}"; }`;
    const line = `"${manifold}" fan --queue ${server.url} --job away --block 10K --queue-timeout 2s < "${input}" | ${reader}; echo "status \${PIPESTATUS[*]}" >&2`;
    const shell = spawnShell(`exec bash -c '${line.replace(/'/g, "'\\''")}'`);
    const said = watch(shell.stderr!);
    await said.waitFor(/^reading$/, 1);
    // Some 600 KB of answers, far more than the pipe holds: the coordinator has output to write.
    await worker.stderr.waitFor(/^start 60$/, 1);
    await server.stop('SIGKILL');
    writeFileSync(hold, 'go\n');
    await within(waitForExit(shell), 20_000, () => `the coordinator went on:\n${said.text}`);
    expect(said.text).toBe(
      `reading\nmanifold: the queue at ${server.url} has been unreachable for 2s (--queue-timeout): the coordinator of job "away" gives up\nstatus 1 0\n`,
    );
    worker.kill();
  });
});

/**
 * Three blocks: the first answered, the second runs for ten minutes, the third waits in the
 * worker's hand for it, so that the worker pulls nothing more; then `manifold queue rm`.
 */
async function removedWhileBusy(url: string, workerUrl: string): Promise<void> {
  const coordinator = spawnManifold(['fan', '--queue', url, '--job', 'held', '--block', '1']);
  coordinator.stdin!.end(numbered(1, 3));
  const worker = startWorker(
    workerUrl,
    ['--job', 'held', '-j', '1', '--shell'],
    ['[ "$MANIFOLD_BLOCK" = 1 ] && exec cat; echo "start $MANIFOLD_BLOCK" >&2; exec sleep 600'],
  );
  await worker.stderr.waitFor(/^start 2$/, 1);
  const conn = await connectQueue(url);
  try {
    const names = jobNames('held');
    const held = async () =>
      (await conn.jsm.consumers.info(names.blocksStream, WORKERS_CONSUMER)).num_ack_pending;
    while ((await held()) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    await conn.close();
  }
  const removed = await run(manifold, ['queue', 'rm', '--queue', url, '--job', 'held']);
  expect(removed).toMatchObject({ exitCode: 0, stderr: '' });
  const below = tracked(descendants(worker.child.pid!));
  // It stops block 2, not running it to its end, ten minutes, for a job that no longer is.
  expect(await worker.done(10_000)).toMatchObject({ exitCode: 0 });
  expect(await leftovers(below, 10_000)).toEqual([]);
}
