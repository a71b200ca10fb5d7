import { ExitCode, formatSize, ManifoldError } from '../../filters/index.js';
import { readTableMeta, type TableMeta } from '../../filters/tables/meta.js';
import { openTable } from '../../filters/tables/open.js';
import { errnoText } from '../options/inputs.js';
import { dieOf } from './signals.js';

/** `manifold table get`: each key's values on stdout, missing keys on stderr (then exit 1). */
export async function runTableGet(
  path: string,
  keys: string[],
  options: { withKey?: boolean },
): Promise<number> {
  const table = openTable(path);
  const out: Buffer[] = [];
  const missing: string[] = [];
  for (const key of keys) {
    const values = table.getAll(key);
    if (values.length === 0) missing.push(key);
    for (const value of values) {
      if (options.withKey) out.push(Buffer.from(`${key}\t`));
      out.push(value, NEWLINE);
    }
  }
  await write(Buffer.concat(out));
  table.close();
  for (const key of missing) process.stderr.write(`manifold: table ${path}: no key "${key}"\n`);
  return missing.length === 0 ? 0 : 1;
}

/** `manifold table stat`: the table's description for people, or its table.json. */
export async function runTableStat(path: string, options: { json?: boolean }): Promise<number> {
  const meta = readTableMeta(path);
  // Opening it checks its LMDB files are there and readable, not only its description.
  openTable(path).close();
  await write(
    Buffer.from(options.json ? `${JSON.stringify(meta, null, 2)}\n` : describe(path, meta)),
  );
  return 0;
}

function describe(path: string, meta: TableMeta): string {
  const separator =
    meta.fieldSeparator === null
      ? 'fields split on blanks'
      : `field separator ${JSON.stringify(meta.fieldSeparator)}`;
  const rows: [string, string][] = [
    ['table', path],
    ['format', `${meta.format} ${meta.version}`],
    ['key', meta.key.startsWith('field:') ? `${meta.key} (${separator})` : meta.key],
    ['value', meta.value],
    ['split', meta.split],
    ['duplicates', `${meta.duplicates} (${meta.duplicatesSeen} seen)`],
    ['records', String(meta.records)],
    ['keys', String(meta.keys)],
    ['shards', String(meta.shards)],
    ['size', `${formatSize(meta.bytes)} (${meta.bytes} bytes)`],
    ['built', meta.builtAt],
    ['from', meta.inputs.join(' ')],
  ];
  return rows.map(([name, value]) => `${name.padEnd(11)}${value}\n`).join('');
}

const NEWLINE = Buffer.from('\n');

/**
 * Writes to stdout. A reader that has gone (`| head -1`) ends the command as it ends `cat`:
 * killed by SIGPIPE, quietly (Node ignores SIGPIPE, and the stream's error, unhandled, was a
 * stack trace and exit 1).
 */
function write(bytes: Buffer): Promise<void> {
  const stdout = process.stdout;
  if (stdout.listenerCount('error') === 0) stdout.on('error', closedOutput);
  return new Promise((resolve, reject) =>
    stdout.write(bytes, (error) => {
      if (!error) return resolve();
      closedOutput(error);
      reject(outputFailure(error));
    }),
  );
}

function closedOutput(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') dieOf('SIGPIPE');
}

/** Any other failure to write (a full disk), in the words `manifold fan` uses for it. */
function outputFailure(error: NodeJS.ErrnoException): ManifoldError {
  const reason = error.code === undefined ? error.message : errnoText(error.code);
  return new ManifoldError('manifold.io', `cannot write stdout: ${reason}`, {
    exitCode: ExitCode.failure,
    cause: error,
  });
}
