import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { deleteJob } from '../../orchestrator/workers/queue/job.js';
import { jobNames } from '../../orchestrator/workers/queue/names.js';
import { linesOf } from '../support/lines.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { leftovers, procsOf } from '../support/proc.js';
import { coordinate, type QueueWorker, startWorker } from '../support/queue.js';
import { spawnManifold, watch } from '../support/spawn.js';

// A job that ends while a worker's connection to the queue is down: the worker hears neither its
// remover's word nor the server's advisory. Made certain: the worker is stopped (SIGSTOP), the
// server started again on its port and store (its connections gone with it), the job ended, and
// the worker let go on (SIGCONT): it connects again to a server where the job's end is past.

/** Runs `end` while `worker` is cut off from `server`, then lets it go on. */
async function cutOff(worker: QueueWorker, server: NatsServer, end: () => Promise<void>) {
  process.kill(worker.child.pid!, 'SIGSTOP');
  try {
    await server.stop();
    await server.start();
    await end();
  } finally {
    process.kill(worker.child.pid!, 'SIGCONT');
  }
}

describe('a job that ends while a worker is cut off from the queue', () => {
  it('a worker running a block: once connected again, its look at the job finds it gone; it stops the block and leaves, status 0', async () => {
    const server = await startNats();
    // Two blocks: the worker's one slot runs one and holds the other, and pulls nothing more,
    // so only its look at the job can find it gone.
    const coordinator = spawnManifold([
      ...['fan', '--queue', server.url],
      ...['--job', 'cut', '--block', '1', '--verbose'],
    ]);
    coordinator.stdin!.end('a\nb\n');
    await watch(coordinator.stderr!).waitFor(/started job "cut"/, 1);
    const worker = startWorker(
      server.url,
      ['--job', 'cut', '-j', '1', '--shell'],
      ['echo "busy $$" >&2; exec sleep 600'],
    );
    const [busy] = await worker.stderr.waitFor(/^busy \d+$/, 1);
    const block = procsOf([Number(busy!.split(' ')[1])]);
    await cutOff(worker, server, async () => {
      // As `manifold queue rm` removes it: its coordinator is gone (killed, say).
      coordinator.kill('SIGKILL');
      const conn = await connectQueue(server.url);
      await deleteJob(conn, jobNames('cut'));
      await conn.close();
    });
    const { exitCode, stderr } = await worker.done();
    expect(exitCode).toBe(0);
    expect(linesOf(stderr)).toEqual([busy]);
    expect(await leftovers(block, 5_000)).toEqual([]);
  }, 60_000);

  it('a worker waiting for its job: a job that starts and finishes meanwhile is the one it waited for; it leaves, status 0', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'cut', '--verbose'], ['cat']);
    await worker.stderr.waitFor(/^manifold: waiting for job "cut" on /, 1);
    await cutOff(worker, server, async () => {
      expect(await coordinate(server.url, ['--job', 'cut'], '')).toMatchObject({
        exitCode: 0,
        stderr: '',
      });
    });
    // It leaves, not waiting on for the next job of that name.
    const { exitCode, stderr } = await worker.done();
    expect(exitCode).toBe(0);
    expect(linesOf(stderr).at(-1)).toBe(
      'manifold: job "cut" started and finished before this worker found it: it leaves',
    );
  }, 60_000);
});
