import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../support/cleanup.js';
import { linesOf, numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';

// A queue worker started with its server (a compose file, a boot script) found it not up yet:
// it said `cannot reach the queue at ...: connection refused` and exited 1 at once. It now
// waits for it, up to --connect-timeout (default 30s), saying so in one line at once.

const WAITING = (url: string, wait: string) =>
  `manifold: the queue at ${url}: connection refused; waiting up to ${wait} for it (--connect-timeout)`;

describe('a queue worker started before its server', () => {
  it('waits for it, then serves the job (it exited 1 at once)', async () => {
    const server = await startNats();
    // Its port is known, and nobody listens on it until the server starts again.
    await server.stop();
    const worker = startWorker(server.url, ['--job', 'early'], ['tr', 'a-z', 'A-Z']);
    await worker.stderr.waitFor(/^manifold: the queue at .*; waiting up to 30s for it/, 1);
    await server.start();
    const input = numbered(1, 2000).replace(/^/gm, 'line ');
    const result = await coordinate(server.url, ['--job', 'early'], input);
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    // Every line, once, whichever block was answered first.
    const sorted = (text: string) => linesOf(text).sort();
    expect(sorted(String(result.stdout))).toEqual(sorted(input.toUpperCase()));
    const end = await worker.done();
    expect([end.exitCode, linesOf(end.stderr)]).toEqual([0, [WAITING(server.url, '30s')]]);
  }, 60_000);

  it('past --connect-timeout: one more line naming the wait, exit 1; 0 fails at once', async () => {
    const server = await startNats();
    await server.stop();
    const late = startWorker(server.url, ['--connect-timeout', '300ms'], ['cat']);
    const end = await late.done();
    expect([end.exitCode, linesOf(end.stderr)]).toEqual([
      1,
      [
        WAITING(server.url, '300ms'),
        `manifold: cannot reach the queue at ${server.url}: connection refused (waited 300ms for it: --connect-timeout)`,
      ],
    ]);
    const now = await startWorker(server.url, ['--connect-timeout', '0'], ['cat']).done();
    expect([now.exitCode, now.stderr]).toEqual([
      1,
      `manifold: cannot reach the queue at ${server.url}: connection refused\n`,
    ]);
  });

  it('a server that never answers: each try waits no longer than the wait left, then one line', async () => {
    // Takes connections and says nothing (no NATS INFO): a try ends at its own timeout.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    onCleanup(() => silent.close());
    const { port } = silent.address() as { port: number };
    const url = `nats://127.0.0.1:${port}`;
    const end = await startWorker(url, ['--connect-timeout', '1500ms'], ['cat']).done();
    expect([end.exitCode, linesOf(end.stderr)]).toEqual([
      1,
      [
        `manifold: cannot reach the queue at ${url}: no answer in time (waited 1.5s for it: --connect-timeout)`,
      ],
    ]);
  });

  it('a server that refuses its credentials is not waited for', async () => {
    const server = await startNats({ auth: { token: 'right' } });
    const url = server.url.replace('nats://', 'nats://wrong@');
    const end = await startWorker(url, ['--connect-timeout', '1h'], ['cat']).done();
    expect(end.exitCode).toBe(1);
    expect(linesOf(end.stderr)).toEqual([
      `manifold: cannot reach the queue at ${server.url}: the server refused the connection: its token is wrong`,
    ]);
  });
});
