import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { runConfig } from '../support/pipeline.js';
import { spawnManifold, waitForExit, watch } from '../support/spawn.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A queue's fan stage of `manifold run` names the config's keys when its job cannot be resumed
// as it was started (`retries 1`, `give another job`), as manifold fan --queue names its flags
// (`--retries 1`, `give another --job`).

const input = Buffer.from(numbered(1, 3_000));

describe("a queue's fan stage names the config's keys", () => {
  it('a job resumed with other retries: it said --retries 1 and --job', async () => {
    const server = await startNats();
    // A coordinator that starts the job and is stopped: the job stays, to be resumed.
    const child = spawnManifold([
      'fan',
      '--queue',
      server.url,
      '--job',
      'kept',
      '--retries',
      '1',
      '--verbose',
    ]);
    child.stdin!.end(input);
    await watch(child.stderr!).waitFor(/started job "kept"/, 1);
    child.kill('SIGTERM');
    expect((await waitForExit(child)).exitCode).toBe(143);
    const fan = { queue: server.url, job: 'kept', retries: 2 };
    const config = writeConfig(tempDir('manifold-queue-keys-'), { stages: [{ name: 's', fan }] });
    const result = await runConfig(config, input);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr:
        'manifold: stage s: job "kept" on the queue was started with retries: 1: resume it with the same options, or give another job\n',
    });
  });
});
