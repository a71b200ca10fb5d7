import { describe, expect, it } from 'vitest';
import { numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { leftovers, pidDir, pidsIn, tracked } from '../support/proc.js';
import { coordinate, leaveJob, startWorker } from '../support/queue.js';
import { spawnManifold, waitForExit, within } from '../support/spawn.js';

// --termseq is the job's, as --timeout is: the coordinator's job carries it to its workers, which
// end their processes so, past the timeout and when they stop (it was refused with --queue).

const input = Buffer.from(numbered(1, 1_000));

/** Says each of INT, TERM and USR1 it gets (`got INT`) and never ends by itself. */
const traps = (pids: string) =>
  `echo $$ > ${pids}/$$; for s in INT TERM USR1; do trap "echo got $s >&2" $s; done; echo started >&2; while :; do sleep 1; done`;

/** What the processes said they got, in order. */
const got = (stderr: string) => stderr.split('\n').filter((line) => /^got [A-Z0-9]+$/.test(line));

describe('fan --queue --termseq', () => {
  it("past --timeout, a worker's process gets the job's sequence on its machine", async () => {
    const server = await startNats();
    const pids = pidDir();
    const command = `[ "$MANIFOLD_BLOCK" = 2 ] && { ${traps(pids)}; }; cat`;
    const worker = startWorker(server.url, ['-j', '2', '--shell'], [command]);
    const args = ['--block', '1000', '--halt', 'never', '--timeout', '1s'];
    const result = await coordinate(server.url, [...args, '--termseq', 'INT,300,USR1,2000'], input);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/timed out after 1s \(try 1 of 1\) on block 2 /);
    const done = await worker.done();
    expect([done.exitCode, got(done.stderr)]).toEqual([0, ['got INT', 'got USR1']]);
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
  }, 60_000);

  it('a worker stopped by a signal ends its processes as the job says', async () => {
    const server = await startNats();
    const pids = pidDir();
    const worker = startWorker(server.url, ['-j', '2', '--shell'], [traps(pids)]);
    const args = ['fan', '--queue', server.url, '--block', '1000'];
    const coordinator = spawnManifold([...args, '--termseq', 'INT,300,USR1,2000']);
    coordinator.stdin!.end(input);
    await worker.stderr.waitFor(/^started$/, 2);
    worker.child.kill('SIGTERM');
    const exit = await within(waitForExit(worker.child), 10_000, 'the worker ran on');
    expect(exit.exitCode).toBe(143);
    // Each process's own order is the shell's: the two may say theirs interleaved.
    expect(got(worker.stderr.text).sort()).toEqual(['got INT', 'got INT', 'got USR1', 'got USR1']);
    expect(await leftovers(tracked(pidsIn(pids)), 5000)).toEqual([]);
    coordinator.kill('SIGKILL');
  }, 60_000);

  it('is the job’s: a coordinator resuming it with another is refused in one line', async () => {
    const server = await startNats();
    await leaveJob(server.url, 't', ['--termseq', 'INT,300'], input);
    const again = await coordinate(server.url, ['--job', 't', '--termseq', 'TERM,300'], input);
    expect([again.exitCode, again.stderr]).toEqual([
      2,
      'manifold: job "t" on the queue was started with --termseq SIGINT,300: resume it with the same options, or give another --job\n',
    ]);
  });
});
