import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { manifold } from '../helpers.js';
import { onCleanup } from './cleanup.js';
import { descendants, killFamily, type Proc, procsOf } from './proc.js';
import { waitForExit } from './spawn.js';

/** A `manifold table serve` process, once it has printed the address it listens on. */
export interface Served {
  child: ChildProcess;
  /** The line it printed: a URL, or a socket's path. */
  address: string;
  /** Its stderr so far. */
  stderr: () => string;
  /** It and everything below it, as found once it listened. */
  procs: () => Proc[];
}

/**
 * Starts `manifold table serve ...args` and waits for its first line on stdout (no sleeps:
 * the line is the event). Killed after the current test if still running, unless `shared`
 * (started in a `beforeAll`, whose teardown stops it).
 */
export async function startServe(args: string[], shared = false): Promise<Served> {
  const child = spawn('node', [manifold, 'table', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kill = () => killFamily(child);
  if (shared) child.once('spawn', () => process.once('exit', kill));
  else onCleanup(kill);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let out = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const procs = procsOf([child.pid!, ...descendants(child.pid!)]);
  return { child, address, stderr: () => stderr, procs: () => procs };
}

/** Sends `signal` and waits for the exit. */
export async function stop(served: Served, signal: NodeJS.Signals = 'SIGTERM') {
  served.child.kill(signal);
  return waitForExit(served.child);
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request with Node's http client, to a URL or over a Unix socket. */
export async function ask(
  target: { url: string } | { socketPath: string },
  method: string,
  path: string,
  body?: Buffer | string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const where =
    'url' in target
      ? { host: new URL(target.url).hostname, port: Number(new URL(target.url).port) }
      : { socketPath: target.socketPath };
  const req = request({ ...where, method, path, headers: { connection: 'close', ...headers } });
  req.end(body);
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) };
}
