import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, coordinateJoined, startWorker } from '../support/queue.js';

// A server that asks for a user and password: given in the queue's address
// (nats://user:password@host:port), as NATS's own clients take them, and never printed: dropped
// from the address, every side would fail with the client's 'AuthorizationError: Authorization
// Violation'.

describe('a queue whose server asks for credentials', () => {
  it('takes them from the address, on the coordinator, the worker and queue status; never says them', async () => {
    const server = await startNats({ auth: { user: 'alice', pass: 's3cret' } });
    const address = server.url.replace('nats://', 'nats://alice:s3cret@');
    const worker = startWorker(address, ['--job', 'auth', '--verbose'], ['cat']);
    await worker.stderr.waitFor(/^manifold: waiting for job "auth" on /, 1);
    const result = await coordinateJoined(
      address,
      ['--job', 'auth', '--verbose'],
      numbered(1, 50),
      [worker],
    );
    expect(result.stdout.toString()).toBe(numbered(1, 50));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`started job "auth" on ${server.url}\n`);
    const end = await worker.done();
    expect(end.exitCode).toBe(0);
    expect(end.stderr).toContain(`waiting for job "auth" on ${server.url}\n`);
    for (const said of [result.stderr, end.stderr]) expect(said).not.toContain('s3cret');
    const status = await run(manifold, ['queue', 'status', '--queue', address]);
    expect(status).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('without them, or wrong: one line naming the address, without the password, exit 1', async () => {
    const server = await startNats({ auth: { user: 'alice', pass: 's3cret' } });
    const none = await coordinate(server.url, ['--job', 'auth'], 'a\n');
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe(
      `manifold: cannot reach the queue at ${server.url}: the server refused the connection: it needs a user and password (nats://user:password@host:port)\n`,
    );
    const wrong = server.url.replace('nats://', 'nats://alice:wrong@');
    const refused = await run(manifold, ['worker', '--queue', wrong, '--', 'cat']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      `manifold: cannot reach the queue at ${server.url}: the server refused the connection: its user or password is wrong\n`,
    );
  });

  it('a token (nats://token@host:port): taken; a wrong one is said as a token', async () => {
    const server = await startNats({ auth: { token: 't0ken' } });
    const status = await run(manifold, [
      'queue',
      'status',
      '--queue',
      server.url.replace('nats://', 'nats://t0ken@'),
    ]);
    expect(status).toMatchObject({ exitCode: 0, stderr: '' });
    const wrong = await run(manifold, [
      'queue',
      'status',
      '--queue',
      server.url.replace('nats://', 'nats://other@'),
    ]);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toBe(
      `manifold: cannot reach the queue at ${server.url}: the server refused the connection: its token is wrong\n`,
    );
  });
});
