import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, gate, startWorker } from '../support/queue.js';
import { tempDir } from '../support/temp.js';

// A block given back to the queue untried (its worker stopped: a scale-down, a deploy) costs it
// no try: `--retries` counts the times it ran, as in a local fan. The server counts every
// delivery, and the worker read its tries from that count: each machine stopped holding a block
// cost it a try, and with --retries 0 the fourth machine to get it failed the run, `given 3
// times to workers lost with it (killed, or cut off from the queue past the ack wait)`, exit 1,
// though no try of it had run to its end.

/** The rows of a --joblog, each by its columns' names. */
function joblogRows(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n') as [string, ...string[]];
  const names = head.split('\t');
  return rows.map((row) => {
    const fields = row.split('\t');
    return Object.fromEntries(names.map((name, i) => [name, fields[i]!]));
  });
}

describe('a block given back untried', () => {
  it('costs no try: three machines stopped holding the blocks, and a run of --retries 0 succeeds', async () => {
    const server = await startNats();
    // Two blocks of ten lines; each machine stopped runs one and holds the other.
    const input = numbered(1, 20);
    const joblog = join(tempDir(), 'joblog.tsv');
    const args = ['--job', 'untried', '--retries', '0', '--block', '45', '--joblog', joblog];
    const run = coordinate(server.url, [...args, '--merge', 'ordered'], input);
    // Never opened: each block waits at the gate until its worker is stopped.
    const { command, close } = gate();
    try {
      for (let stopped = 0; stopped < 3; stopped++) {
        const worker = startWorker(server.url, ['--job', 'untried', '-j', '1', '--shell'], command);
        await worker.stderr.waitFor(/^start \d+$/, 1);
        worker.child.kill('SIGTERM');
        expect((await worker.done()).exitCode).toBe(143);
      }
    } finally {
      close();
    }
    const healthy = startWorker(server.url, ['--job', 'untried'], ['cat']);
    const { stdout, stderr, exitCode } = await run;
    expect({ stdout: String(stdout), stderr, exitCode }).toEqual({
      stdout: input,
      stderr: '',
      exitCode: 0,
    });
    // Each block ran once, on the healthy machine: one try, as --joblog counts them.
    const rows = joblogRows(joblog).map(({ Seq, Attempts, Status }) => ({ Seq, Attempts, Status }));
    expect(rows.sort((a, b) => Number(a.Seq) - Number(b.Seq))).toEqual([
      { Seq: '1', Attempts: '1', Status: 'ok' },
      { Seq: '2', Attempts: '1', Status: 'ok' },
    ]);
    expect((await healthy.done()).exitCode).toBe(0);
  });
});
