import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, gate, startWorker } from '../support/queue.js';
import { hasStackTrace } from '../support/spawn.js';

// A server gone for good mid-run: the coordinator and its workers wait for it (a restart
// resumes, queue-faults.test.ts) only --queue-timeout long, then say so in one line and exit 1.

const input = Buffer.from(numbered(1, 2_000));

describe('a queue gone for good', () => {
  it('past --queue-timeout the coordinator and the worker each say one line naming the URL, exit 1', async () => {
    const server = await startNats();
    const { command, open, close } = gate();
    const worker = startWorker(
      server.url,
      ['-j', '1', '--shell', '--queue-timeout', '1s', '--job', 'lost'],
      command,
    );
    const coordinator = coordinate(
      server.url,
      ['--block', '2K', '--job', 'lost', '--queue-timeout', '1500ms'],
      input,
    );
    open(1);
    await worker.stderr.waitFor(/^start 2$/, 1);
    await server.stop();
    const result = await coordinator;
    const url = server.url.replace(/[.]/g, '\\.');
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: the queue at ${url} has been unreachable for 1\\.5s \\(--queue-timeout\\): the coordinator of job "lost" gives up\\n$`,
      ),
    );
    expect(result.exitCode).toBe(1);
    const end = await worker.done();
    close();
    expect(end.stderr).toMatch(
      new RegExp(
        `^start 1\\nstart 2\\nmanifold: the queue at ${url} has been unreachable for 1s \\(--queue-timeout\\): the worker for job "lost" gives up\\n$`,
      ),
    );
    expect(end.exitCode).toBe(1);
    expect(hasStackTrace(end.stderr)).toBe(false);
  });

  it('a bad --queue-timeout is one line, exit 2', async () => {
    for (const args of [
      ['fan', '--queue', 'nats://h:1', '--queue-timeout', 'soon'],
      ['worker', '--queue', 'nats://h:1', '--queue-timeout', '0', '--', 'cat'],
    ]) {
      const { manifold, run } = await import('../helpers.js');
      const result = await run(manifold, args, '');
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^manifold: --queue-timeout must be a duration/);
      expect(result.stderr.split('\n').length).toBe(2);
    }
  });
});
