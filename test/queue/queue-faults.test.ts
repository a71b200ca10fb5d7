import { existsSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { linesOf, numbered } from '../support/lines.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { holdsWithin } from '../support/proc.js';
import { coordinate, gate, startWorker } from '../support/queue.js';
import { collect, spawnManifold } from '../support/spawn.js';

// What the queue survives, each on a real nats-server: a worker lost mid-block, a block that
// always fails, the coordinator killed and run again, the server restarted; and the lines said
// for a server that cannot serve.

const input = Buffer.from(numbered(1, 3_000));

describe('the queue under faults', () => {
  it('a worker SIGKILLed mid-block: the block goes to another after the ack wait, nothing lost or doubled', async () => {
    const server = await startNats();
    const coordinator = coordinate(
      server.url,
      ['--merge', 'ordered', '--block', '2K', '--ack-wait', '1s'],
      input,
    );
    const lost = startWorker(
      server.url,
      ['-j', '1', '--shell'],
      ['echo busy >&2; exec sleep 1000'],
    );
    await lost.stderr.waitFor(/^busy$/, 1);
    lost.kill();
    // Both take a block before any is let through: one that first looked for the job after the
    // other had done all of it would wait for the next job of its name.
    const { command, open, close } = gate();
    const others = [1, 2].map(() => startWorker(server.url, ['-j', '2', '--shell'], command));
    for (const worker of others) await worker.stderr.waitFor(/^start \d+$/, 1);
    open(1000);
    const result = await coordinator;
    close();
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    for (const worker of others) {
      const { exitCode, stderr } = await worker.done();
      expect(exitCode).toBe(0);
      expect(linesOf(stderr).filter((line) => !/^start \d+$/.test(line))).toEqual([]);
    }
  });

  it('a block that fails on every try (--retries) fails the run, naming it; the other blocks are output as by the local fan', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['-j', '2'], [fixture('fail-on'), '1500', '3']);
    const args = ['--merge', 'ordered', '--block', '2K', '--retries', '1', '--halt', 'never'];
    const result = await coordinate(server.url, args, input);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: job "default": queue worker on \S+: worker \d \(pid \d+: \S*fail-on 1500 3\) exited with status 3 \(try 2 of 2\) on block \d+ \(records \d+-\d+\)\n$/,
    );
    const local = await fan([...args, '--', fixture('fail-on'), '1500', '3'], input);
    expect(byteDiff(result.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
    expect(await worker.done()).toEqual({ exitCode: 0, stderr: '' });
  });

  it('the coordinator SIGKILLed and run again with the same --job resumes: no answered block runs again, the --output file is whole', async () => {
    const server = await startNats();
    const { dir, command, open, close } = gate();
    const worker = startWorker(server.url, ['-j', '1', '--job', 'resumed', '--shell'], command);
    const out = join(dir, 'out.txt');
    const args = [
      'fan',
      '--queue',
      server.url,
      '--job',
      'resumed',
      '--block',
      '4K',
      '--merge',
      'ordered',
      '--output',
      out,
    ];
    const first = spawnManifold(args);
    first.stdin!.end(input);
    open(3);
    await worker.stderr.waitFor(/^start 4$/, 1);
    first.kill('SIGKILL');
    await collect(first.stdout);
    // Killed, it wrote nothing where the output goes: only ever the whole file.
    expect(existsSync(out)).toBe(false);
    const second = run(manifold, args, input);
    open(100);
    const result = await second;
    close();
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(readFileSync(out), input)).toEqual(sameBytes(input));
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
    const starts = worker.stderr.text.split('\n').filter((line) => line.startsWith('start '));
    expect(starts.length).toBe(new Set(starts).size);
    expect(starts.length).toBe(Math.ceil(input.length / 4096));
  });

  // Started again on its store either way: stopped (SIGTERM), or crashed. Debian's nats-server
  // 2.9.10 has been seen to panic in the tests (a nil pointer in its STREAM.MSG.GET handler),
  // and the harness then starts it again, as systemd's Restart=on-failure would: SIGQUIT ends
  // a Go program so, at once, its goroutines dumped, status 2.
  const goneAway: [string, (server: NatsServer) => Promise<void>][] = [
    [
      'restarted',
      async (server) => {
        await server.stop();
        await server.start();
      },
    ],
    [
      'crashed (SIGQUIT) and started again',
      async (server) => {
        const crashed = server.pid!;
        process.kill(crashed, 'SIGQUIT');
        const again = () => server.pid !== null && server.pid !== crashed;
        expect(await holdsWithin(again, 20_000)).toBe(true);
      },
    ],
  ];

  it.each(goneAway)(
    'nats-server %s mid-run with its file store: nothing lost',
    async (_, away) => {
      const server = await startNats();
      const { command, open, close } = gate();
      const worker = startWorker(server.url, ['-j', '1', '--shell'], command);
      const coordinator = coordinate(
        server.url,
        ['--block', '4K', '--merge', 'ordered', '--ack-wait', '2s'],
        input,
      );
      open(3);
      await worker.stderr.waitFor(/^start 4$/, 1);
      await away(server);
      open(100);
      const result = await coordinator;
      close();
      expect(ok(result)).toEqual(OK);
      expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
      expect(await worker.done()).toMatchObject({ exitCode: 0 });
    },
    60_000,
  );
});

/**
 * Bytes the server at `port` has not read from its clients' connections (/proc/net/tcp's
 * rx_queue of its established sockets): a request sent to a server that is stopped.
 */
function unreadBy(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(`:${hex}`) && fields[3] === '01')
    .reduce((sum, fields) => sum + Number.parseInt(fields[4]!.split(':')[1]!, 16), 0);
}

describe('a request under way when nats-server goes away', () => {
  // A request in flight when the connection was lost was never answered: the client waited its
  // whole 10 s before asking again, and a run through a restart took 10 s longer (the worker's
  // look for its job, a block's result published). It is asked again once the connection is
  // back. Made certain here: the server is stopped (SIGSTOP) with a look for the job unread in
  // its socket, then killed and started again.
  it('is asked again as soon as the connection is back, as --verbose says', async () => {
    const server = await startNats();
    const worker = startWorker(server.url, ['-j', '1', '--verbose'], ['cat']);
    await worker.stderr.waitFor(/^manifold: waiting for job "default" on /, 1);
    process.kill(server.pid!, 'SIGSTOP');
    expect(await holdsWithin(() => unreadBy(server.port) > 0, 20_000)).toBe(true);
    await server.stop('SIGKILL');
    await server.start();
    await worker.stderr.waitFor(
      /^manifold: the connection to the queue at nats:\/\/127\.0\.0\.1:\d+ is back: asking again for the description of job "default"$/,
      1,
    );
    const result = await coordinate(server.url, ['--block', '4K', '--merge', 'ordered'], input);
    expect(ok(result)).toEqual(OK);
    expect(byteDiff(result.stdout, input)).toEqual(sameBytes(input));
    expect(await worker.done()).toMatchObject({ exitCode: 0 });
  }, 60_000);
});

describe('a queue that cannot serve', () => {
  it('a server that cannot be reached is one line naming the URL, exit 1, for both sides', async () => {
    // A worker waits for a server not up yet (queue-connect-wait); with 0, not at all.
    for (const args of [
      ['fan', '--queue', 'nats://127.0.0.1:1'],
      ['worker', '--queue', 'nats://127.0.0.1:1', '--connect-timeout', '0', '--', 'cat'],
    ]) {
      const result = await run(manifold, args, 'a\n');
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toBe(
        'manifold: cannot reach the queue at nats://127.0.0.1:1: connection refused\n',
      );
    }
  });

  it('what answers is no NATS server (an sshd greets): one line saying so, exit 1 (it leaked "Error: unexpected response from server")', async () => {
    const server = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await run(manifold, ['fan', '--queue', `nats://127.0.0.1:${port}`], 'a\n');
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 1,
        stderr: `manifold: cannot reach the queue at nats://127.0.0.1:${port}: what answers there is no NATS server (its greeting was not one)\n`,
      });
    } finally {
      server.close();
    }
  });

  it('a server without JetStream is one line, exit 1', async () => {
    const server = await startNats({ jetstream: false });
    const result = await coordinate(server.url, [], 'a\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: the NATS server at ${server.url} has no JetStream \\(version [\\d.]+\\): start it with -js\\n$`,
      ),
    );
  });

  // Usage errors of both sides: queue-usage.test.ts.
  it('a worker whose command is not found exits 127', async () => {
    const missing = await run(manifold, [
      'worker',
      '--queue',
      'nats://h:1',
      '--',
      'no-such-program-here',
    ]);
    expect(missing.exitCode).toBe(127);
  });
});
