import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fan, run } from '../../orchestrator/index.js';
import { manifold } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { startWorker } from '../support/queue.js';
import { sink } from '../support/sink.js';
import { tempDir } from '../support/temp.js';

// The library's other ways to a queue: fan.stream({ queue }) and run(config) with a queue:
// stage; and --progress on a queue's coordinator. Each on a real nats-server with real
// `manifold worker --queue` processes.

const input = numbered(1, 2_000);

describe('the queue from the library', () => {
  it('fan.stream({ queue }) yields the workers’ output in order; leaving the loop early stops it', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'stream', '-j', '2'], ['cat']);
    const settings = { queue: server.url, job: 'stream', merge: 'ordered', block: '2K' } as const;
    const chunks: Buffer[] = [];
    for await (const chunk of fan.stream(settings, { input: Readable.from([input]) }))
      chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe(input);
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
    // A second job, left after its first chunk: the loop ends, the job is kept on the server.
    const second = startWorker(server.url, ['--job', 'left', '-j', '1'], ['cat']);
    let first: Buffer | undefined;
    for await (const chunk of fan.stream(
      { ...settings, job: 'left' },
      { input: Readable.from([input]) },
    )) {
      first = chunk;
      break;
    }
    expect(input.startsWith(first!.toString())).toBe(true);
    const status = await execa(
      'node',
      [manifold, 'queue', 'status', '--queue', server.url, '--job', 'left', '--json'],
      { reject: false },
    );
    expect(status.exitCode).toBe(0);
    second.kill();
  });

  it('run(config) with a queue: stage between two commands', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'piped', '-j', '2'], ['tr', '0-9', 'a-j']);
    const output = sink();
    const summary = await run(
      {
        stages: [
          { run: 'cat' },
          { fan: { queue: server.url, job: 'piped', merge: 'ordered', block: '2K' } },
          { run: ['sed', 's/^/>/'] },
        ],
      },
      { input: Readable.from([input]), output },
    );
    const expected = input.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!).replace(/^/gm, '>');
    expect(output.text()).toBe(expected.slice(0, -1));
    expect(summary.status).toBe(0);
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('fan --queue --progress on a terminal draws the local fan’s line, to every record out', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['-j', '2'], ['cat']);
    const dir = tempDir('manifold-progress-');
    writeFileSync(join(dir, 'in.txt'), input);
    const command = `node ${manifold} fan --queue ${server.url} --block 2K --progress --input ${dir}/in.txt > ${dir}/out.txt`;
    const tty = await execa('script', ['-qec', command, '/dev/null'], { reject: false });
    expect(tty.exitCode).toBe(0);
    const last = [...tty.stdout.matchAll(/out [\d.]+ KiB (\d+) rec/g)].at(-1);
    expect(last?.[1], tty.stdout).toBe('2000');
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });
});
