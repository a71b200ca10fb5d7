import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { startWorker } from '../support/queue.js';
import { finish, spawnShell } from '../support/spawn.js';
import { fileWith } from '../support/temp.js';

// `manifold fan --queue ... | head -1`: once the coordinator's reader has gone, no output of its
// job can be delivered. It removes the job, so its workers leave as on `manifold queue rm`, and
// dies of SIGPIPE as `cat` does. Before, it died leaving the job on the server, its workers
// waiting on it for ever.

describe('a coordinator whose reader goes away', () => {
  it('`| head -1`: the coordinator dies of SIGPIPE, the job is removed, its worker leaves, status 0', async () => {
    const server = await startNats();
    // Some 1.3 MB of output, far past what a pipe holds once head has gone.
    const input = fileWith('manifold-queue-pipe-', numbered(1, 150_000));
    const worker = startWorker(server.url, ['--job', 'piped', '-j', '2'], ['cat']);
    const line = `"${manifold}" fan --queue ${server.url} --job piped --block 10K < "${input}" | head -1; echo "status \${PIPESTATUS[*]}" >&2`;
    const piped = await finish(spawnShell(`exec bash -c '${line.replace(/'/g, "'\\''")}'`), 30_000);
    expect(piped.hung).toBe(false);
    expect(piped.stdout.toString()).toBe('1\n');
    // As `cat big | head -1` says: the writer killed by SIGPIPE, quietly.
    expect(piped.stderr).toBe('status 141 0\n');
    expect(await worker.done()).toMatchObject({ exitCode: 0, stderr: '' });
    const status = await run(manifold, ['queue', 'status', '--queue', server.url, '--json']);
    expect(status).toMatchObject({ exitCode: 0, stderr: '' });
    expect(status.stdout.toString()).toBe('[]\n');
  });
});
