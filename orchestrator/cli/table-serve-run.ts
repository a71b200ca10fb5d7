import { ExitCode, quoteName, UsageError } from '../../filters/errors.js';
import { tableNameOf } from '../../filters/sdk/tables.js';
import { parseSize } from '../../filters/size.js';
import { openTable } from '../../filters/tables/open.js';
import {
  DEFAULT_LISTEN,
  type Endpoint,
  listenOn,
  parseListen,
  parseSocket,
} from '../tables/listen.js';
import { createTableServer, type ServedTable } from '../tables/serve.js';
import type { ServeCommandOptions } from './table-serve.js';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
// Requests under way when a stop signal comes get this long to finish.
const GRACE_MS = 2000;

/**
 * Runs `manifold table serve`: opens the tables, listens, prints the address as one line on
 * stdout, and serves until a stop signal; then closes and resolves 0.
 */
export async function runServe(args: string[], options: ServeCommandOptions): Promise<number> {
  const endpoint = endpointOf(options);
  const maxBody = parseSize(options.maxBody, '--max-body');
  const tables = servedTables(args);
  const server = createTableServer({ tables, maxBody });
  // Listening for the stop signals before the address is printed: a script that reads the
  // line and signals at once must find them handled.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of STOP_SIGNALS) process.once(signal, () => resolve());
  });
  try {
    const address = await listenOn(server, endpoint);
    // A reader of the address that has gone away must not stop the server.
    process.stdout.on('error', () => {});
    process.stdout.write(`${address}\n`);
    await stopped;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), GRACE_MS).unref();
    });
    return ExitCode.ok;
  } finally {
    for (const signal of STOP_SIGNALS) process.removeAllListeners(signal);
    for (const { table } of tables) table.close();
  }
}

function endpointOf(options: ServeCommandOptions): Endpoint {
  if (options.socket !== undefined) {
    if (options.listen !== undefined)
      throw new UsageError('--listen and --socket exclude each other');
    if (options.listenAny) throw new UsageError('--listen-any goes with --listen, not --socket');
    return parseSocket(options.socket);
  }
  return parseListen(options.listen ?? DEFAULT_LISTEN, options.listenAny === true);
}

/**
 * Opens each `PATH` (named as `--table PATH` names it: `data/users.mft` is `users`) or
 * `NAME=PATH`; two of one name are refused.
 */
function servedTables(args: string[]): ServedTable[] {
  const tables: ServedTable[] = [];
  for (const arg of args) {
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : tableNameOf(arg);
    const path = equals > 0 ? arg.slice(equals + 1) : arg;
    const said = `table ${quoteName(arg)}`;
    if (arg === '') throw new UsageError(`${said}: give a table's folder, or NAME=PATH`);
    if (path === '') throw new UsageError(`${said}: the path after = is empty; give NAME=PATH`);
    if (equals === 0) throw new UsageError(`${said}: the name before = is empty`);
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      const rename = equals > 0 ? '' : ': name it with NAME=PATH';
      throw new UsageError(
        `${said}: the name ${quoteName(name)} is not letters, digits, '.', '_' and '-' only${rename}`,
      );
    }
    if (tables.some((t) => t.name === name)) {
      throw new UsageError(`${said}: the name ${name} is taken; name it with NAME=PATH`);
    }
    tables.push({ name, table: openTable(path) });
  }
  return tables;
}
