import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeError, quoteName, showBytes } from '../../filters/errors.js';
import { tableNameOf } from '../../filters/sdk/tables.js';
import type { Table } from '../../filters/tables/open.js';
import type { ValueEncoding } from './answers.js';
import { answerJson, answerLines, type Refusal, tooLarge } from './batch.js';

/** A table as served: the name in its URLs, and the table opened read-only. */
export interface ServedTable {
  name: string;
  table: Table;
}

/** What `createTableServer` needs. */
export interface TableServerOptions {
  tables: ServedTable[];
  /**
   * The largest request body read, in bytes (a batch of keys): past it, 413.
   * @default 64 MiB
   */
  maxBody?: number;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * An HTTP server (Node's http module) for lookups in tables:
 * - `GET /` lists the tables and their meta, as JSON;
 * - `GET /NAME` gives one table's meta;
 * - `GET /NAME/KEY` (the key URL-decoded to bytes) gives the value's bytes and a newline, as
 *   `manifold table get` prints it (a terminal's prompt starts on a line of its own), or 404;
 * - `POST /NAME` looks up many keys in one request (see `answerLines`, `answerJson`).
 * A bad request gets its status and one line of text; no request can stop the server.
 */
export function createTableServer({
  tables,
  maxBody = 64 * 1024 ** 2,
}: TableServerOptions): Server {
  const byName = new Map(tables.map(({ name, table }) => [name, table]));
  const listing = JSON.stringify({
    tables: tables.map(({ name, table }) => ({ name, path: table.path, meta: table.meta })),
  });
  const server = createServer((req, res) => {
    // A client that goes away mid-request is its own business, never the server's end.
    req.on('error', () => {});
    res.on('error', () => {});
    try {
      const answer = route(req, res);
      if (answer !== undefined) reply(res, answer);
    } catch (error) {
      // A fault of ours, or of a table's files: the request fails, the server goes on.
      if (!res.headersSent)
        reply(res, { status: 500, body: `lookup failed: ${describeError(error)}` });
      else res.destroy();
    }
  });
  server.on('clientError', refuseMalformed);

  /** Answers a request, or returns the short answer to give it. */
  function route(req: IncomingMessage, res: ServerResponse): Answer | undefined {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (!path.startsWith('/')) return { status: 400, body: 'the path must start with /' };
    if (path === '/') return isGet ? json(listing) : notAllowed('GET, HEAD');
    const slash = path.indexOf('/', 1);
    const name = decodeBytes(slash < 0 ? path.slice(1) : path.slice(1, slash))?.toString('utf8');
    if (name === undefined)
      return { status: 400, body: 'the table name is not URL-encoded properly' };
    const table = byName.get(name);
    if (table === undefined)
      return { status: 404, body: noTable(name, (bare) => byName.has(bare)) };
    if (slash < 0) {
      if (req.method === 'POST') {
        const params = new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
        return answerBatch(req, res, table, params);
      }
      return isGet ? json(JSON.stringify(table.meta)) : notAllowed('GET, HEAD, POST');
    }
    if (!isGet) return notAllowed('GET, HEAD');
    const key = decodeBytes(path.slice(slash + 1));
    if (key === undefined) return { status: 400, body: 'the key is not URL-encoded properly' };
    if (key.length === 0) return { status: 400, body: `no key: GET /${name}/KEY` };
    const value = table.get(key);
    if (value === undefined)
      // Named as `table get` and every message names a key: bytes that are not text as `\xNN`.
      return { status: 404, body: `no key "${showBytes(key)}" in ${name}` };
    // A copy: the table's view is valid until the next lookup, the write may wait longer.
    // Always exactly one newline after it, so the value's own bytes are all but the last.
    const body = Buffer.allocUnsafe(value.length + 1);
    body.set(value);
    body[value.length] = 0x0a;
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
    });
    res.end(body);
    return undefined;
  }

  function answerBatch(
    req: IncomingMessage,
    res: ServerResponse,
    table: Table,
    params: URLSearchParams,
  ): Answer | undefined {
    const encoding = params.get('encoding') ?? 'utf8';
    const onRefusal = (refusal: Refusal) => refuse(req, res, refusal);
    if (encoding !== 'utf8' && encoding !== 'base64') {
      onRefusal({ status: 400, message: `encoding "${encoding}": utf8 or base64` });
    } else if (Number(req.headers['content-length'] ?? 0) > maxBody) {
      onRefusal(tooLarge(maxBody));
    } else {
      const options = { encoding: encoding as ValueEncoding, maxBody };
      const type = req.headers['content-type'] ?? '';
      if (/^application\/json\b/i.test(type)) answerJson(req, res, table, options, onRefusal);
      else answerLines(req, res, table, options, onRefusal);
    }
    return undefined;
  }

  return server;
}

/** A short answer: a status and one line of text, or a JSON document. */
interface Answer {
  status: number;
  body: string;
  type?: string;
  allow?: string;
}

const json = (body: string): Answer => ({ status: 200, body, type: 'application/json' });

const notAllowed = (allow: string): Answer => ({
  status: 405,
  body: `method not allowed here (allowed: ${allow})`,
  allow,
});

function reply(res: ServerResponse, { status, body, type = TEXT, allow }: Answer): void {
  const bytes = Buffer.from(type === TEXT ? `${body}\n` : body);
  if (allow !== undefined) res.setHeader('allow', allow);
  res.writeHead(status, { 'content-type': type, 'content-length': bytes.length });
  res.end(bytes);
}

// What a refused request may still send before its connection is cut.
const LINGER_BYTES = 16 * 1024 ** 2;
const LINGER_MS = 2000;

/**
 * Refuses a request whose body is not read to its end: the answer says so, and the connection
 * closes after it. The rest of the body is read and dropped for a while first: closing a
 * socket with unread data resets it, and the reset can destroy the answer before the client
 * reads it.
 */
function refuse(req: IncomingMessage, res: ServerResponse, { status, message }: Refusal): void {
  res.setHeader('connection', 'close');
  reply(res, { status, body: message });
  req.removeAllListeners('data');
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) req.socket.destroy();
  });
  req.resume();
  setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
}

/** What Node's HTTP parser could not read: 400 (or 431 for huge headers), then close. */
function refuseMalformed(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = tooLarge ? 'the request headers are too large\n' : 'malformed HTTP request\n';
  socket.end(
    `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: ${TEXT}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
}

/** Percent-decodes a URL part to bytes (binary keys come as `%FF`); `undefined` if malformed. */
export function decodeBytes(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'utf8');
  if (!bytes.includes(0x25)) return bytes;
  const out = Buffer.allocUnsafe(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x25) {
      out[n++] = bytes[i]!;
      continue;
    }
    const hex = bytes.toString('latin1', i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    out[n++] = Number.parseInt(hex, 16);
    i += 2;
  }
  return out.subarray(0, n);
}

/**
 * The 404 of a table name not served, quoted as every line of manifold quotes a name (a name
 * with a newline in it, %0A, as `$'no\ntable'`: the answer stays one line). A table given by its
 * path is named without its extension, as `--table PATH` names it: a URL that keeps the
 * extension (`/users.mft/KEY`, as older servers named it) is told the table's name.
 */
function noTable(name: string, served: (name: string) => boolean): string {
  const bare = tableNameOf(name);
  const hint =
    bare !== name && served(bare)
      ? `: a table given by its path is named without its extension, /${bare}`
      : '';
  return `no table ${quoteName(name)} here${hint} (GET / lists them)`;
}
