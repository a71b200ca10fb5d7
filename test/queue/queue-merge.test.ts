import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { variedLines } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { lineBytes, linesOf, sortedLines } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, gate, startWorker } from '../support/queue.js';

// `manifold fan --queue` and `manifold worker --queue` on a real nats-server: the output is the
// local fan's, byte for byte under --merge ordered and record for record under --merge ready,
// whichever way the workers tie their output to blocks.

const input = lineBytes(variedLines(5_000, 7));

describe('manifold fan --queue, merged as the local fan', () => {
  it('--merge ordered: two per-block workers started first give the local fan’s bytes', async () => {
    const server = await startNats();
    // Each worker's blocks wait at a gate until both have begun one: a worker that first looked
    // for the job after the other had done all of it would wait for the next job of its name.
    const { command, open, close } = gate('tr a-z A-Z');
    const workers = [1, 2].map(() => startWorker(server.url, ['-j', '2', '--shell'], command));
    const args = ['--merge', 'ordered', '--block', '8K'];
    const queued = coordinate(server.url, args, input);
    for (const worker of workers) await worker.stderr.waitFor(/^start \d+$/, 1);
    open(1000);
    const [result, local] = await Promise.all([
      queued,
      fan([...args, '--', 'tr', 'a-z', 'A-Z'], input),
    ]);
    close();
    expect(ok(result)).toEqual(OK);
    expect(ok(local)).toEqual(OK);
    expect(byteDiff(result.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
    // The job is finished and gone: its workers leave.
    for (const worker of workers) {
      const { exitCode, stderr } = await worker.done();
      expect(exitCode).toBe(0);
      expect(linesOf(stderr).filter((line) => !/^start \d+$/.test(line))).toEqual([]);
    }
  });

  it('--merge ready: every record once, as the local fan, with a worker started after the coordinator', async () => {
    const server = await startNats();
    const args = ['--merge', 'ready', '--block', '4K'];
    const queued = coordinate(server.url, args, input);
    const worker = startWorker(server.url, ['-j', '3'], ['tr', 'a-z', 'A-Z']);
    const [result, local] = await Promise.all([
      queued,
      fan([...args, '--', 'tr', 'a-z', 'A-Z'], input),
    ]);
    expect(ok(result)).toEqual(OK);
    expect(sortedLines(result.stdout)).toEqual(sortedLines(local.stdout));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('persistent workers: --one-to-one and --protocol manifold give the input back in order', async () => {
    const server = await startNats();
    const oneToOne = startWorker(
      server.url,
      ['-j', '1', '--job', 'a', '--one-to-one'],
      ['tr', 'x', 'x'],
    );
    const protocol = startWorker(
      server.url,
      ['-j', '2', '--job', 'b', '--protocol', 'manifold'],
      [fixture('identity.js')],
    );
    const [a, b] = await Promise.all([
      coordinate(server.url, ['--job', 'a', '--merge', 'ordered', '--block', '16K'], input),
      coordinate(server.url, ['--job', 'b', '--merge', 'ordered', '--block', '16K'], input),
    ]);
    for (const result of [a, b]) {
      expect(ok(result)).toEqual(OK);
      expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    }
    expect(await oneToOne.done()).toEqual({ exitCode: 0, stderr: '' });
    expect(await protocol.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('--one-to-one with a filter that holds its output back (tr into a pipe, blocks under its 4 KiB buffer): no hang', async () => {
    // Blocks given to a persistent worker were capped at two in flight: tr wrote a block's last
    // records only when more input came, and the worker waited for them before giving more.
    const server = await startNats();
    const worker = startWorker(server.url, ['-j', '2', '--one-to-one'], ['tr', 'a-z', 'A-Z']);
    const args = ['--merge', 'ordered', '--block', '1K'];
    const [queued, local] = await Promise.all([
      coordinate(server.url, args, input),
      fan([...args, '--', 'tr', 'a-z', 'A-Z'], input),
    ]);
    expect(ok(queued)).toEqual(OK);
    expect(byteDiff(queued.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });
});
