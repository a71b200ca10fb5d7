import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { manifold, run } from '../helpers.js';
import { startNats } from '../support/nats.js';
import { coordinate } from '../support/queue.js';

// A stream of a job's name that manifold did not make as it makes them (another program's, by
// hand, an older manifold's): one line naming the job, the stream and the way out, exit 1, not
// the client's 'JetStreamApiError: stream name already in use with a different configuration'.

describe('a job whose stream is on the server with another configuration', () => {
  it('is one line naming the job and the stream, exit 1; manifold queue rm clears it', async () => {
    const server = await startNats();
    const conn = await connectQueue(server.url);
    await conn.jsm.streams.add({
      name: 'manifold-odd-blocks',
      subjects: ['manifold.odd.blocks'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.Memory,
    });
    await conn.close();
    const result = await coordinate(server.url, ['--job', 'odd'], 'a\n');
    expect(result.stderr).toBe(
      `manifold: job "odd" cannot be made on the queue at ${server.url}: its stream manifold-odd-blocks is there, made otherwise (stream name already in use with a different configuration): remove it with manifold queue rm --job odd\n`,
    );
    expect(result.exitCode).toBe(1);
    const removed = await run(manifold, ['queue', 'rm', '--queue', server.url, '--job', 'odd']);
    expect(removed).toMatchObject({ exitCode: 0, stderr: '' });
  });
});
