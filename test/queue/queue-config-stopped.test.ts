import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { runConfig } from '../support/pipeline.js';
import { startWorker } from '../support/queue.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A queue's fan stage stopped because a stage after it failed did not finish its job: the job
// stays on the server, to be resumed by the next run, as one stopped by a signal does
// (docs/queue.md): removed as finished, its answers would be lost, and its workers leave.

const input = numbered(1, 3_000);

describe('queue: a fan stage stopped because a later stage failed', () => {
  it('leaves its job on the server; the next run resumes it and finishes it', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'stopped', '-j', '2'], ['cat']);
    const dir = tempDir();
    const fan = { queue: server.url, job: 'stopped', block: '2K', merge: 'ordered' };
    const failing = writeConfig(
      dir,
      { stages: [{ fan }, { name: 'after', run: "sh -c 'head -n 5; exit 3'" }] },
      'failing.yaml',
    );
    const failed = await runConfig(failing, input);
    expect({ exitCode: failed.exitCode, stderr: failed.stderr }).toEqual({
      exitCode: 1,
      stderr: "manifold: stage after (sh -c 'head -n 5; exit 3') exited with status 3\n",
    });
    const status = await run(manifold, ['queue', 'status', '--queue', server.url, '--json'], '', {
      timeout: 20_000,
    });
    expect(JSON.parse(status.stdout.toString()).map((job: { job: string }) => job.job)).toEqual([
      'stopped',
    ]);
    const fixed = writeConfig(dir, { stages: [{ fan }, { run: 'wc -l' }] }, 'fixed.yaml');
    const resumed = await runConfig(fixed, input, { args: ['--verbose'] });
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toMatch(/^manifold: stage \S+: resuming job "stopped" on /m);
    expect(resumed.stdout.toString().trim()).toBe('3000');
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });
});
