import { lstatSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { createConnection, isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { ExitCode, errnoText, ManifoldError, quoteName, UsageError } from '../../filters/errors.js';
import { folderProblem } from '../options/inputs.js';

/** Where `table serve` listens: a TCP address, or a Unix socket. */
export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** The address `--listen` takes when given none: loopback, a free port. */
export const DEFAULT_LISTEN = '127.0.0.1:0';

/**
 * Parses `--listen HOST:PORT` (`[::1]:PORT` for IPv6; a bare `PORT` means 127.0.0.1). A host
 * that is not a loopback address is refused unless `any` (`--listen-any`): a table served to
 * the network is readable by anyone who reaches it.
 */
export function parseListen(text: string, any: boolean): Endpoint {
  const bare = /^\d+$/.test(text);
  const match = bare ? null : /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (!bare && match === null) {
    throw new UsageError(
      `--listen ${quoteName(text)} is not HOST:PORT (examples: 127.0.0.1:8080, [::1]:0)`,
    );
  }
  const host = bare ? '127.0.0.1' : (match![1] ?? match![2]!);
  const port = Number(bare ? text : match![3]);
  if (port > 65535)
    throw new UsageError(`--listen ${quoteName(text)}: port ${port} is above 65535`);
  if (!any && !isLoopback(host)) {
    throw new UsageError(
      `--listen ${quoteName(text)}: ${host} is not a loopback address; add --listen-any to serve tables to other hosts`,
    );
  }
  return { kind: 'tcp', host, port };
}

/**
 * The longest path a Unix socket is bound at (sun_path, less its NUL): 107 bytes on Linux, 103
 * on macOS and the BSDs. A longer one was bound cut short, at a path no one gave, and served
 * there.
 */
const SOCKET_PATH_MAX = process.platform === 'linux' ? 107 : 103;

/** `--socket PATH`: a path, one short enough to be a socket's. */
export function parseSocket(path: string): Endpoint {
  if (path === '') throw new UsageError("--socket '': give the path to listen at");
  const bytes = Buffer.byteLength(path);
  if (bytes > SOCKET_PATH_MAX) {
    throw new UsageError(
      `--socket ${quoteName(path)}: too long for a Unix socket (${bytes} bytes; at most ${SOCKET_PATH_MAX}): give a shorter path`,
    );
  }
  return { kind: 'unix', path };
}

/** Whether `host` names this machine only: 127.0.0.0/8, ::1, or `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return /^(0*:)*:?0*1$/.test(host) || host === '::ffff:127.0.0.1';
  return false;
}

/**
 * Starts `server` on `endpoint` and returns the line to print: the URL for TCP
 * (`http://127.0.0.1:43121`), the socket's absolute path for a Unix socket. A socket file left
 * by a server that was killed is removed first; one that a live server answers on is not.
 */
export async function listenOn(server: Server, endpoint: Endpoint): Promise<string> {
  if (endpoint.kind === 'unix') await removeStaleSocket(endpoint.path);
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where =
        endpoint.kind === 'unix' ? quoteName(endpoint.path) : `${endpoint.host}:${endpoint.port}`;
      fail(
        new ManifoldError(
          'manifold.io',
          `cannot listen on ${where}: ${error.code === undefined ? error.message : errnoText(error.code)}`,
          {
            exitCode: ExitCode.failure,
            cause: error,
          },
        ),
      );
    });
    if (endpoint.kind === 'unix') server.listen(endpoint.path, done);
    else server.listen(endpoint.port, endpoint.host, done);
  });
  if (endpoint.kind === 'unix') return resolve(endpoint.path);
  const address = server.address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

async function removeStaleSocket(path: string): Promise<void> {
  // libuv says a socket's missing folder as EACCES (as Windows would): said here as it is.
  const problem = folderProblem(dirname(path));
  if (problem !== undefined) throw new UsageError(`--socket ${quoteName(path)}: ${problem}`);
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket)
    throw new UsageError(`--socket ${quoteName(path)}: something that is not a socket is there`);
  const alive = await new Promise<boolean>((done) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      done(true);
    });
    probe.once('error', () => done(false));
  });
  if (alive) {
    throw new ManifoldError(
      'manifold.io',
      `--socket ${quoteName(path)}: a server already listens there`,
      {
        exitCode: ExitCode.failure,
      },
    );
  }
  unlinkSync(path);
}
