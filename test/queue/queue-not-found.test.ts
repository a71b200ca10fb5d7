import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectQueue } from '../../orchestrator/workers/queue/connect.js';
import { readMessage } from '../../orchestrator/workers/queue/messages.js';
import { jobNames } from '../../orchestrator/workers/queue/names.js';
import { publishNotice } from '../../orchestrator/workers/queue/notice.js';
import { escapeRegExp, linesOf, numbered } from '../support/lines.js';
import { startNats } from '../support/nats.js';
import { coordinate, startWorker } from '../support/queue.js';
import { spawnManifold, waitForExit, watch, within } from '../support/spawn.js';

// A queue worker whose command is not found: one line naming the job, the worker and its
// machine, on the worker (exit 127) and on the coordinator, which goes on with the other
// workers, not a bare `manifold: no-such-cmd: command not found` on the worker alone.

describe('a queue worker whose command is not found', () => {
  it('says one line naming the job and itself, exit 127; its coordinator says it too and goes on with a worker that can', async () => {
    const server = await startNats();
    const coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'nf', '--verbose']);
    const said = watch(coordinator.stderr!);
    const output = watch(coordinator.stdout!);
    coordinator.stdin!.write(numbered(1, 3));
    await said.waitFor(/^manifold: started job "nf"/, 1);
    const missing = startWorker(server.url, ['--job', 'nf'], ['no-such-cmd', '-x']);
    const line = `job "nf": queue worker on ${hostname()} (pid ${missing.child.pid}) cannot run no-such-cmd: command not found`;
    expect(await missing.done()).toEqual({ exitCode: 127, stderr: `manifold: ${line}\n` });
    const good = startWorker(server.url, ['--job', 'nf'], ['cat']);
    coordinator.stdin!.end();
    const end = await within(waitForExit(coordinator), 20_000, 'the coordinator went on');
    expect(end.exitCode).toBe(0);
    expect(output.text).toBe(numbered(1, 3));
    expect(linesOf(said.text).filter((text) => !/started job|blocks are cut/.test(text))).toEqual([
      `manifold: ${line}; the job goes on with the other workers`,
    ]);
    expect((await good.done()).exitCode).toBe(0);
  });

  it('restarted by a supervisor (it exits 127 each time): its coordinator says it once', async () => {
    const server = await startNats();
    const coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'again']);
    const said = watch(coordinator.stderr!);
    const output = watch(coordinator.stdout!);
    coordinator.stdin!.write(numbered(1, 3));
    // Three starts, one after the other, as a restart policy makes them: each one tells it.
    for (let start = 0; start < 3; start++) {
      const missing = startWorker(server.url, ['--job', 'again'], ['no-such-cmd']);
      expect((await missing.done()).exitCode).toBe(127);
    }
    // Told before the good worker's answers, which the coordinator reads after the notices.
    const good = startWorker(server.url, ['--job', 'again'], ['cat']);
    coordinator.stdin!.end();
    const end = await within(waitForExit(coordinator), 20_000, 'the coordinator went on');
    expect(end.exitCode).toBe(0);
    expect(output.text).toBe(numbered(1, 3));
    const lines = linesOf(said.text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^manifold: job "again": queue worker on ${escapeRegExp(hostname())} \\(pid \\d+\\) cannot run no-such-cmd: command not found; the job goes on with the other workers$`,
      ),
    );
    expect((await good.done()).exitCode).toBe(0);
  });

  it('started before its job: says its line at once, waits for the job, tells the coordinator that comes, then exits 127', async () => {
    const server = await startNats();
    const missing = startWorker(server.url, ['--job', 'late', '--verbose'], ['no-such-cmd']);
    const line = `job "late": queue worker on ${hostname()} (pid ${missing.child.pid}) cannot run no-such-cmd: command not found`;
    // Its operator hears it at once, not when a job comes.
    await missing.stderr.waitFor(new RegExp(`^manifold: ${escapeRegExp(line)}$`), 1);
    await missing.stderr.waitFor(/^manifold: waiting for job "late" on /, 1);
    const coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'late']);
    const said = watch(coordinator.stderr!);
    const output = watch(coordinator.stdout!);
    coordinator.stdin!.write(numbered(1, 3));
    await said.waitFor(
      new RegExp(`^manifold: ${escapeRegExp(line)}; the job goes on with the other workers$`),
      1,
    );
    const end = await missing.done();
    expect(end.exitCode).toBe(127);
    expect(linesOf(end.stderr).filter((text) => !/waiting for job/.test(text))).toEqual([
      `manifold: ${line}`,
    ]);
    const good = startWorker(server.url, ['--job', 'late'], ['cat']);
    coordinator.stdin!.end();
    const done = await within(waitForExit(coordinator), 20_000, 'the coordinator went on');
    expect(done.exitCode).toBe(0);
    expect(output.text).toBe(numbered(1, 3));
    expect(linesOf(said.text)).toEqual([
      `manifold: ${line}; the job goes on with the other workers`,
    ]);
    expect((await good.done()).exitCode).toBe(0);
  });

  it('told the moment its job is made, before its coordinator has looked at the results: the coordinator says it', async () => {
    const server = await startNats();
    const conn = await connectQueue(server.url);
    const names = jobNames('quick');
    const notice = { host: 'far', pid: 7, command: 'no-such-cmd', reason: 'command not found' };
    let coordinator: ChildProcess | undefined;
    // As a worker waiting for the job does, only at once, as its description is stored, and with
    // the coordinator held meanwhile: its notice is stored before the coordinator goes on.
    const told = new Promise<boolean>((resolve) => {
      conn.nc.subscribe(names.specSubject, {
        max: 1,
        callback: (_error, message) => {
          coordinator!.kill('SIGSTOP');
          const { run } = readMessage(message.data);
          publishNotice(conn, names, run, { ...notice, fault: 'machine' }).then((stored) => {
            coordinator!.kill('SIGCONT');
            resolve(stored);
          });
        },
      });
    });
    await conn.nc.flush();
    coordinator = spawnManifold(['fan', '--queue', server.url, '--job', 'quick']);
    const said = watch(coordinator.stderr!);
    coordinator.stdin!.write(numbered(1, 3));
    expect(await told).toBe(true);
    const line =
      'manifold: job "quick": queue worker on far (pid 7) cannot run no-such-cmd: command not found; the job goes on with the other workers';
    await conn.close();
    const good = startWorker(server.url, ['--job', 'quick'], ['cat']);
    coordinator.stdin!.end();
    const done = await within(waitForExit(coordinator), 20_000, 'the coordinator went on');
    expect(done.exitCode).toBe(0);
    expect(linesOf(said.text)).toEqual([line]);
    expect((await good.done()).exitCode).toBe(0);
  });

  it('started before its job and stopped while it waits: exit 130, its line said once', async () => {
    const server = await startNats();
    const missing = startWorker(server.url, ['--job', 'never', '--verbose'], ['no-such-cmd']);
    await missing.stderr.waitFor(/^manifold: waiting for job "never" on /, 1);
    missing.child.kill('SIGINT');
    const end = await missing.done();
    expect(end.exitCode).toBe(130);
    expect(linesOf(end.stderr).filter((text) => /cannot run/.test(text))).toHaveLength(1);
  });

  it('with no server to reach: its line and exit 127, at once', async () => {
    const missing = startWorker('nats://127.0.0.1:1', ['--job', 'nobody'], ['no-such-cmd']);
    const end = await missing.done();
    expect(end.exitCode).toBe(127);
    expect(linesOf(end.stderr)).toEqual([
      `manifold: job "nobody": queue worker on ${hostname()} (pid ${missing.child.pid}) cannot run no-such-cmd: command not found`,
    ]);
  });

  it('under --shell (sh says 127): the coordinator’s line for the failed block names the job and the worker; exit 127, as locally', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['--job', 'sh', '--shell'], ['no-such-cmd']);
    const result = await coordinate(server.url, ['--job', 'sh'], numbered(1, 3));
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: job "sh": queue worker on ${hostname()}: worker 1 \\(pid \\d+: no-such-cmd\\) exited with status 127 \\(command not found\\) \\(try 1 of 1\\) on block 1 \\(records 1-3\\)\\n$`,
      ),
    );
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
  });
});
