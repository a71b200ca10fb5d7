import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byteDiff, sameBytes } from '../support/diff.js';
import { OK, ok, readStats } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';
import { tempDir } from '../support/temp.js';

// The server's largest message (max_payload, here 64K): blocks are cut to fit it, outputs larger
// than it travel in pieces and come back whole, and a record too large for it is one line.

describe('the queue and the payload limit', () => {
  it('blocks are cut to fit a message, outputs larger than one come back whole from their pieces', async () => {
    const server = await startNats({ maxPayload: 64 * 1024 });
    const input = Buffer.from(numbered(1, 60_000));
    // Each line twice: every block's output is about twice a message.
    const worker = startWorker(server.url, ['-j', '2', '--shell'], ['sed p']);
    const stats = join(tempDir(), 'stats.json');
    const result = await coordinate(
      server.url,
      ['--merge', 'ordered', '--block', '1M', '--stats', stats],
      input,
    );
    expect(ok(result)).toEqual(OK);
    const doubled = Buffer.from(numbered(1, 60_000).replace(/^.*\n/gm, '$&$&'));
    expect(byteDiff(result.stdout, doubled)).toEqual(sameBytes(doubled));
    const { totals } = readStats(stats);
    // 400K of input in blocks of at most 63K.
    expect(totals.blocks).toBe(Math.ceil(input.length / (63 * 1024)));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
    expect(readFileSync(stats, 'utf8')).toContain('"status": 0');
  });

  it('a record larger than a message fails its block, in one line naming it and max_payload', async () => {
    const server = await startNats({ maxPayload: 64 * 1024 });
    const input = `a\n${'x'.repeat(100_000)}\nb\n`;
    const worker = startWorker(server.url, ['-j', '1'], ['cat']);
    const result = await coordinate(
      server.url,
      ['--merge', 'ordered', '--block', '4K', '--halt', 'never'],
      input,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      'manifold: the queue refused a message of 97.7 KiB (over max_payload 64 KiB less 1024 bytes kept for headers: a record that large needs a larger max_payload, docs/queue.md) on block 2 (records 2-2)\n',
    );
    expect(result.stdout.toString()).toBe('a\nb\n');
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });
});
