import { readFileSync } from 'node:fs';
import { describeErrno, quoteName, showBytes } from '../../filters/errors.js';
import { formatSize, UsageError } from '../../filters/index.js';
import { stdoutFailure } from '../../filters/shown.js';
import { readTableMeta, type TableMeta } from '../../filters/tables/meta.js';
import { openTable } from '../../filters/tables/open.js';
import { dieOf } from './signals.js';
import type { GetOptions } from './table-read.js';

/** `manifold table get`: each key's values on stdout, missing keys on stderr (then exit 1). */
export async function runTableGet(
  path: string,
  named: string[],
  options: GetOptions,
): Promise<number> {
  if (options.null && options.keysFrom === undefined)
    throw new UsageError('-0 is about the keys of --keys-from: give it a file (- for stdin)');
  const keys: Buffer[] = named.map((key) => Buffer.from(key));
  // One by one: spread as arguments, a file of 130,000 keys overflowed the stack.
  for (const file of options.keysFrom ?? [])
    for (const key of readKeys(file, options.null === true)) keys.push(key);
  // A keys file may be empty (a pipeline's events none today): nothing to look up, as grep -f.
  if (keys.length === 0 && options.keysFrom === undefined)
    throw new UsageError('no keys: name them, or give a file of them with --keys-from');
  const table = openTable(path);
  const out: Buffer[] = [];
  const missing: Buffer[] = [];
  for (const key of keys) {
    // LMDB has no empty key: an empty line of a keys file is a key not there.
    const values = key.length === 0 ? [] : table.getAll(key);
    if (values.length === 0) missing.push(key);
    for (const value of values) {
      if (options.withKey) out.push(key, TAB);
      out.push(value, NEWLINE);
    }
  }
  await write(Buffer.concat(out));
  table.close();
  for (const key of missing)
    process.stderr.write(`manifold: table ${quoteName(path)}: no key "${showBytes(key)}"\n`);
  return missing.length === 0 ? 0 : 1;
}

/**
 * The keys of a --keys-from file (`-`: stdin) as bytes, one a line (ended by NUL under -0), as
 * `grep -f` reads patterns; a last key without its end is a key.
 */
function readKeys(file: string, nul: boolean): Buffer[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    const name = file === '-' ? 'stdin' : quoteName(file);
    throw new UsageError(`--keys-from ${name}: cannot read it: ${describeErrno(error)}`);
  }
  const end = nul ? 0 : 0x0a;
  const keys: Buffer[] = [];
  let from = 0;
  while (from < bytes.length) {
    const at = bytes.indexOf(end, from);
    const to = at < 0 ? bytes.length : at;
    keys.push(bytes.subarray(from, to));
    from = to + 1;
  }
  return keys;
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
const TAB = Buffer.from('\t');

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
      // Any other failure (a full disk), in the words `manifold fan` uses for it.
      reject(stdoutFailure(error));
    }),
  );
}

function closedOutput(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') dieOf('SIGPIPE');
}
