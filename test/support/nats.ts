import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { onCleanup, onFailure } from './cleanup.js';
import { killQuietly } from './proc.js';
import { waitForExit, watch } from './spawn.js';
import { tempDir } from './temp.js';

/** A real nats-server of the test's own, on a free loopback port, its store in a folder of its own. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`: the same across restarts. */
  readonly url: string;
  readonly port: number;
  /** The JetStream store (`-sd`), kept across restarts. */
  readonly storeDir: string;
  /** The running server's process id, or null while it is stopped. */
  readonly pid: number | null;
  /** Stops the server (SIGTERM, or `signal`) and waits for it to be gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same store; resolves once it takes clients. */
  start(): Promise<void>;
}

export interface NatsOptions {
  /** Run with JetStream (`-js`). @default true */
  jetstream?: boolean;
  /** The server's largest message (`max_payload`), for tests of the payload limit. */
  maxPayload?: number;
  /** A user and password (`--user`, `--pass`), or a token (`--auth`), asked of every client. */
  auth?: { user: string; pass: string } | { token: string };
  /**
   * Users of a config's `authorization` block instead, each with the subjects it may not
   * subscribe to (`deny`); the first is the one the test's own connections use.
   */
  users?: { user: string; pass: string; deny?: string[] }[];
}

/**
 * A folder for a server's store and config, removed after the test: in /dev/shm (tmpfs) when it
 * has room, else the temporary folder. JetStream syncs its store files as streams are made, and
 * on a disk busy with other tests' writes those syncs held the server's answers to API requests
 * past 10 s, failing tests on time alone (seen in CI and here; none in 3 runs of the queue tests
 * on tmpfs, against a run in two that timed out on the disk).
 */
function serverDir(): string {
  try {
    const { bavail, bsize } = statfsSync(SHM);
    if (bavail * bsize >= 1024 ** 3) {
      const dir = realpathSync(mkdtempSync(join(SHM, 'manifold-nats-')));
      onCleanup(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    }
  } catch {
    // No /dev/shm: the temporary folder.
  }
  return tempDir('manifold-nats-');
}

const SHM = '/dev/shm';

/** How a Go program's crash starts its report: a panic, or a fatal signal (SIGQUIT's dump). */
const CRASH = /^(panic: |fatal error: |SIGQUIT: )/m;

/** A log's crash report, its first `lines` lines; null when the log has none. */
function crashReport(log: string, lines: number): string | null {
  const at = log.search(CRASH);
  return at < 0 ? null : log.slice(at).split('\n').slice(0, lines).join('\n');
}

/**
 * Starts `nats-server` (Debian's, on PATH) for the current test: `-p -1` lets it take a free
 * port, which its log names; it is ready once its log says so and a client has connected. It is
 * killed after the test whatever the outcome (one started in a `beforeAll`, after the file's last
 * test), and its store removed.
 */
export async function startNats(options: NatsOptions = {}): Promise<NatsServer> {
  const dir = serverDir();
  const storeDir = join(dir, 'store');
  const args = ['-a', '127.0.0.1', '-sd', storeDir];
  if (options.jetstream !== false) args.push('-js');
  if (options.auth !== undefined)
    args.push(
      ...('token' in options.auth
        ? ['--auth', options.auth.token]
        : ['--user', options.auth.user, '--pass', options.auth.pass]),
    );
  const [first] = options.users ?? [];
  const auth = options.auth ?? (first === undefined ? {} : { user: first.user, pass: first.pass });
  const config: string[] = [];
  if (options.maxPayload !== undefined) config.push(`max_payload: ${options.maxPayload}`);
  if (options.users !== undefined) {
    const users = options.users.map(({ user, pass, deny }) => {
      const permissions =
        deny === undefined ? '' : `, permissions: { subscribe: { deny: ${JSON.stringify(deny)} } }`;
      return `  { user: ${JSON.stringify(user)}, password: ${JSON.stringify(pass)}${permissions} }`;
    });
    config.push(`authorization { users: [\n${users.join('\n')}\n] }`);
  }
  if (config.length > 0) {
    const file = join(dir, 'nats.conf');
    writeFileSync(file, `${config.join('\n')}\n`);
    args.push('-c', file);
  }
  let child: ChildProcess | null = null;
  let port = -1;
  /** What the running server has said on stderr (its log), and how the last one ended. */
  let said: { text: string } = { text: '' };
  let ended = 'running';
  let cleaning = false;
  let restarts = 0;
  const launch = async () => {
    const started = spawn('nats-server', [...args, '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = started;
    ended = 'running';
    const log = watch(started.stderr!);
    said = log;
    // On 'close', not 'exit': at 'exit' the end of its log may still be unread in its pipe
    // (Node says stdio may still be open then), and the crash report is at the end.
    started.once('close', (code, signal) => {
      ended = signal === null ? `exited with status ${code}` : `killed by ${signal}`;
      // Neither stopped by the test nor by the cleanup: Debian's nats-server 2.9.10 has been
      // seen to panic (a nil pointer in its handler of STREAM.MSG.GET, about once in 250 of
      // these tests: a stream's messages read as the stream was made, which manifold no longer
      // does, orchestrator/workers/queue/stored.ts). It is started again on its port and store, as a supervisor (systemd's
      // Restart=on-failure) would, which both sides of the queue are made to survive; and
      // said, so that a run shows how often. Any other exit is left to fail the test.
      const panic = crashReport(log.text, 6);
      if (child !== started || cleaning || code !== 2 || panic === null || restarts >= 3) return;
      restarts++;
      console.error(`nats-server crashed and is started again:\n${panic}`);
      launch().catch((error: unknown) =>
        console.error(`nats-server did not start again: ${error}`),
      );
    });
    const [listening] = await log.waitFor(/Listening for client connections on /, 1);
    port = Number(/:(\d+)\s*$/.exec(listening!)![1]);
    await log.waitFor(/Server is ready/, 1);
    // The log says ready: a client's connection proves it.
    const nc = await connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false, ...auth });
    await nc.close();
  };
  onCleanup(() => {
    cleaning = true;
    if (child !== null && child.exitCode === null && child.signalCode === null)
      killQuietly(child.pid!);
  });
  await launch();
  onFailure(async () => {
    // A Go panic's first lines say what it was; else the log's last lines.
    const tail = crashReport(said.text, 24) ?? said.text.split('\n').slice(-6).join('\n');
    console.error(`nats-server (pid ${child?.pid ?? '-'}) ${ended}; its log ends:\n${tail}`);
    await sayState(`nats://127.0.0.1:${port}`, auth);
  });
  return {
    get url() {
      return `nats://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    storeDir,
    get pid() {
      return child?.pid ?? null;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const running = child;
      if (running === null) return;
      child = null;
      running.kill(signal);
      await waitForExit(running);
    },
    async start() {
      if (child === null) await launch();
    },
  };
}

/**
 * Prints on stderr what a server holds, for a test that failed: each stream's messages, each
 * consumer's pending, unacknowledged and redelivered messages and waiting pulls. A job that
 * hangs shows there whether its blocks wait for a worker, sit with one, or are all answered.
 */
async function sayState(
  url: string,
  auth: { user?: string; pass?: string; token?: string },
): Promise<void> {
  const lines = [`nats-server at ${url}, as the test failed:`];
  try {
    const nc = await connect({ servers: url, reconnect: false, timeout: 2000, ...auth });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 2000 });
      for await (const stream of jsm.streams.list()) {
        const { name } = stream.config;
        const { messages, first_seq, last_seq } = stream.state;
        lines.push(`  stream ${name}: ${messages} messages, seq ${first_seq}-${last_seq}`);
        for await (const c of jsm.consumers.list(name)) {
          lines.push(
            `    consumer ${c.name}: pending ${c.num_pending}, unacknowledged ${c.num_ack_pending}, redelivered ${c.num_redelivered}, pulls waiting ${c.num_waiting}, delivered up to ${c.delivered.stream_seq}, acknowledged up to ${c.ack_floor.stream_seq}`,
          );
        }
      }
    } finally {
      await nc.close();
    }
  } catch (error) {
    lines.push(`  (cannot read it: ${error instanceof Error ? error.message : String(error)})`);
  }
  console.error(lines.join('\n'));
}

/**
 * A server with two users: `boss`, who may do anything, and `deaf`, denied the server's
 * advisories (`$JS.EVENT.ADVISORY.>`), as a user may be, and as a client that the server sent
 * no advisory is; with each one's address.
 */
export async function startNatsWithDeafUser(): Promise<{
  server: NatsServer;
  boss: string;
  deaf: string;
}> {
  const server = await startNats({
    users: [
      { user: 'boss', pass: 'b' },
      { user: 'deaf', pass: 'd', deny: ['$JS.EVENT.ADVISORY.>'] },
    ],
  });
  const as = (user: string, pass: string) =>
    server.url.replace('nats://', `nats://${user}:${pass}@`);
  return { server, boss: as('boss', 'b'), deaf: as('deaf', 'd') };
}
