import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, expectProblems } from '../support/check.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { runConfig } from '../support/pipeline.js';
import { startWorker } from '../support/queue.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A config's fan stage with `queue:` is `fan --queue`: `manifold run` opens its job before any
// stage starts, on a real nats-server, with real `manifold worker --queue` processes.

const input = numbered(1, 3_000);

describe('queue: on a fan stage of a config', () => {
  it('manifold run publishes the stage’s blocks to the job and merges the workers’ output, with header: and joblog:', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'cfg', '-j', '2'], ['tr', '0-9', 'a-j']);
    const dir = tempDir();
    const joblog = join(dir, 'jobs.tsv');
    const stages = [
      {
        fan: {
          queue: server.url,
          job: 'cfg',
          'ack-wait': '1s',
          merge: 'ordered',
          block: '2K',
          header: 1,
          joblog,
        },
      },
      { run: 'wc -l' },
    ];
    const config = writeConfig(dir, { stages }, 'queue.yaml');
    expect((await check(config)).exitCode).toBe(0);
    const result = await runConfig(config, input, { args: ['--verbose'] });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(
      /^manifold: stage \S+: started job "cfg" on nats:\/\/127\.0\.0\.1:\d+$/m,
    );
    // A row per block, each a worker's on this machine; each block was given the header ("1",
    // which tr makes "b": not the header, so each block's copy of it stays in the output).
    const rows = readFileSync(joblog, 'utf8').trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(4);
    for (const row of rows) expect(row.split('\t')[1]).toBe(hostname());
    expect(result.stdout.toString().trim()).toBe(String(2999 + rows.length));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('the output is the workers’, in order; a server that cannot be reached stops the run before it starts', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['-j', '2'], ['tr', '0-9', 'a-j']);
    const dir = tempDir();
    const config = writeConfig(
      dir,
      { stages: [{ fan: { queue: server.url, merge: 'ordered', block: '2K' } }] },
      'queue.yaml',
    );
    const result = await runConfig(config, input);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe(input.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
    const gone = writeConfig(
      dir,
      { stages: [{ fan: { queue: 'nats://127.0.0.1:1', block: '2K' } }] },
      'gone.yaml',
    );
    const refused = await runConfig(gone, input);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(
      'manifold: stage stages[0]: cannot reach the queue at nats://127.0.0.1:1: connection refused\n',
    );
  });

  it('a worker, or a key that is the workers’, beside queue, or neither worker nor queue: a problem naming it', async () => {
    await expectProblems('stages:\n  - fan:\n      queue: nats://q:4222\n      worker: cat\n', [
      [
        'cat',
        /worker is not for queue: it is the workers' \(manifold worker --queue URL -- COMMAND/,
      ],
    ]);
    // tag and tag-string are not pointed at the workers', which tag their stderr only, and
    // have no --tagstring.
    for (const [key, value] of [
      ['tag', 'true'],
      ['tag-string', 'x'],
    ] as const) {
      await expectProblems(
        `stages:\n  - fan:\n      queue: nats://q:4222\n      ${key}: ${value}\n`,
        [
          [
            value,
            new RegExp(
              `${key} is not for queue: a queue job's output is not tagged \\(a worker's --tag tags its processes' stderr\\)$`,
            ),
          ],
        ],
      );
    }
    await expectProblems('stages:\n  - fan:\n      job: x\n      worker: cat\n', [
      ['x', /job needs queue$/],
    ]);
    await expectProblems('stages:\n  - fan:\n      block: 2K\n', [
      ['block', /"fan" needs "worker"$/],
    ]);
    await expectProblems('stages:\n  - fan:\n      queue: http://q\n', [
      ['http', /queue http:\/\/q is not an address: give nats:\/\/host:port$/],
    ]);
  });
});
