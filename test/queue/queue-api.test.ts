import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, type ManifoldError, RunError } from '../../orchestrator/index.js';
import { fixture } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { startWorker } from '../support/queue.js';
import { sink } from '../support/sink.js';

// The library's fan with a queue: the same settings as `fan --queue`, the same output, on a real
// nats-server with real `manifold worker --queue` processes.

const input = numbered(1, 3_000);

describe('fan({ queue }) from the library', () => {
  it('publishes the blocks for the workers and merges their output as fan --queue does', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'lib', '-j', '2'], ['cat']);
    const output = sink();
    const summary = await fan(
      { queue: server.url, job: 'lib', ackWait: '1s', merge: 'ordered', block: '2K' },
      { input: Readable.from([input]), output },
    );
    expect(output.text()).toBe(input);
    expect(summary.totals).toMatchObject({ recordsIn: 3000, recordsOut: 3000 });
    expect(summary.totals.blocks).toBeGreaterThan(5);
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('a block failing every try rejects with a RunError naming it', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['-j', '2'], [fixture('fail-on'), '1500', '3']);
    const error = await fan(
      { queue: server.url, retries: 1, block: '2K' },
      { input: Readable.from([input]), output: sink() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).message).toMatch(
      /queue worker on \S+: worker \d \(pid \d+: \S*fail-on 1500 3\) exited with status 3 \(try 2 of 2\) on block \d+/,
    );
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('bad queue settings are usage errors naming the setting; an unreachable server names the URL', async () => {
    const bad = async (options: object) =>
      (
        (await fan(options as never, { input: Readable.from(['a\n']), output: sink() }).catch(
          (e: unknown) => e,
        )) as ManifoldError
      ).message;
    expect(await bad({ queue: 'nats://127.0.0.1:1', command: ['cat'] })).toBe(
      "command is not for queue: it is the workers' (manifold worker --queue URL -- COMMAND, docs/queue.md)",
    );
    expect(await bad({ command: ['cat'], job: 'x' })).toBe('job needs queue');
    expect(await bad({ queue: 'http://x' })).toBe(
      'queue http://x is not an address: give nats://host:port',
    );
    expect(await bad({ queue: 'nats://127.0.0.1:1', job: 'a b' })).toMatch(
      /^job 'a b' is not a job name/,
    );
    expect(await bad({ queue: 'nats://127.0.0.1:1', merge: 'sorted' })).toBe(
      'merge sorted is not for queue: use ready or ordered',
    );
    expect(await bad({ queue: 'nats://127.0.0.1:1' })).toBe(
      'cannot reach the queue at nats://127.0.0.1:1: connection refused',
    );
  });
});
