import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createRandom, writeLines } from './data.js';
import { timeCommand } from './measure.js';

/** The files of the `table` group, made only when the group runs (the full sizes take minutes). */
export interface TableData {
  /** TSV `key TAB value`, ~90-byte values, one line per key: ~100 MB (1 M keys). */
  users: string;
  usersKeys: number;
  usersBytes: number;
  /** The same keys with ~1 KB values: the ~1 GB table of the memory cases. */
  wide: string;
  wideBytes: number;
  /** Records `key TAB time TAB payload` (~100 bytes), half of whose keys are in the table. */
  events: string;
  eventsRecords: number;
  eventsBytes: number;
  /** One event whose key is in the table: the input of the readiness probe. */
  one: string;
  /** The tables built from `users` and `wide`. */
  usersTable: string;
  wideTable: string;
}

/** The key of user number `i`: fixed width, so `sort` and the table order agree with numbers. */
export const userKey = (i: number) => `u${String(i).padStart(8, '0')}`;

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'di', 'fo'];

function wordsOf(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) {
    if (text.length > 0) text += ' ';
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) text += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  }
  return text.slice(0, length);
}

/**
 * Writes a table's TSV, its keys in a scrambled order (a build must not rely on sorted input):
 * user `i * 7919 mod keys` on line `i`, a permutation, as 7919 is a prime that divides no size
 * used here. Returns the bytes written.
 */
async function writeTable(file: string, keys: number, valueBytes: number, seed: number) {
  const random = createRandom(seed);
  const out = createWriteStream(file);
  let bytes = 0;
  for (let line = 0; line < keys; ) {
    const lines: string[] = [];
    for (const end = Math.min(keys, line + 4096); line < end; line++) {
      const value = wordsOf(random, valueBytes - 10 + Math.floor(random() * 21));
      lines.push(`${userKey((line * 7919) % keys)}\t${value}\n`);
    }
    const chunk = lines.join('');
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return bytes;
}

export async function makeTableData(
  root: string,
  folder: string,
  quick: boolean,
): Promise<TableData> {
  const usersKeys = quick ? 5_000 : 1_000_000;
  const users = join(folder, 'users.tsv');
  const wide = join(folder, 'wide.tsv');
  const events = join(folder, 'events.tsv');
  const one = join(folder, 'one.tsv');
  const usersBytes = await writeTable(users, usersKeys, 90, 21);
  const wideBytes = await writeTable(wide, usersKeys, 1000, 22);
  const random = createRandom(23);
  let eventsRecords = 0;
  let eventsBytes = 0;
  await writeLines(events, quick ? 4 * 2 ** 20 : 2 ** 30, () => {
    // Keys drawn from twice the table's range: half of them miss.
    const key = userKey(Math.floor(random() * 2 * usersKeys));
    const line = `${key}\t${1_700_000_000 + eventsRecords}\t${wordsOf(random, 70 + Math.floor(random() * 21))}`;
    eventsRecords++;
    eventsBytes += line.length + 1;
    return line;
  });
  await writeFile(one, `${userKey(1)}\t1700000000\tone event\n`);
  const usersTable = join(folder, 'users.mft');
  const wideTable = join(folder, 'wide.mft');
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  for (const [tsv, table] of [
    [users, usersTable],
    [wide, wideTable],
  ]) {
    await timeCommand(
      `${manifold} table build ${tsv} --key field:1 --value field:2 --field-sep tab -o ${table}`,
    );
  }
  return {
    users,
    usersKeys,
    usersBytes,
    wide,
    wideBytes,
    events,
    eventsRecords,
    eventsBytes,
    one,
    usersTable,
    wideTable,
  };
}
