import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as libraryFan, RunError } from '../../orchestrator/index.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, leaveJob, startWorker } from '../support/queue.js';

// The fan's options that act where blocks run, given to a queue's coordinator: the job carries
// them to its workers. --timeout: each block timed on its worker, a try when it runs out.

const input = Buffer.from(numbered(1, 1_000));

describe('fan --queue with the local fan’s options', () => {
  it('--timeout: a block past it is killed on its worker and tried again; on its last try the run fails naming it', async () => {
    const server = await startNats();
    // Block 2 hangs on every try; the others are quick.
    const slow = '[ "$MANIFOLD_BLOCK" = 2 ] && exec sleep 60; cat';
    const worker = startWorker(server.url, ['-j', '2', '--shell'], [slow]);
    const args = ['--merge', 'ordered', '--block', '1000', '--retries', '1', '--halt', 'never'];
    const result = await coordinate(server.url, [...args, '--timeout', '1s'], input);
    expect(result.stderr).toMatch(
      /^manifold: job "default": queue worker on \S+: worker \d \(pid \d+: .*\) timed out after 1s \(try 2 of 2\) on block 2 \(records \d+-\d+\)\n$/,
    );
    expect(result.exitCode).toBe(1);
    const local = await fan(
      [...args, '--shell', '--', '[ "$MANIFOLD_BLOCK" = 2 ] && exit 3; cat'],
      input,
    );
    expect(byteDiff(result.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  }, 60_000);

  it('--timeout is the job’s: a coordinator resuming it with another is refused in one line', async () => {
    const server = await startNats();
    await leaveJob(server.url, 't', ['--timeout', '5s'], input);
    const again = await coordinate(server.url, ['--job', 't', '--timeout', '9s'], input);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(
      'manifold: job "t" on the queue was started with --timeout 5s: resume it with the same options, or give another --job\n',
    );
  });

  it('the library’s timeout with queue: a block past it on its last try rejects with a RunError naming it', async () => {
    const server = await startNats();
    const slow = '[ "$MANIFOLD_BLOCK" = 3 ] && exec sleep 60; cat';
    const worker = startWorker(server.url, ['-j', '2', '--shell', '--job', 'lib'], [slow]);
    const output = new Writable({ write: (_chunk, _encoding, done) => done() });
    const error = await libraryFan(
      { queue: server.url, job: 'lib', block: '1000', timeout: '1s' },
      { input: Readable.from([input]), output },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).message).toMatch(/timed out after 1s \(try 1 of 1\) on block 3/);
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });
});
