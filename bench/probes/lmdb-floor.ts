#!/usr/bin/env node
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { createRandom } from '../data.js';
import { userKey } from '../table-data.js';
import { probeArgs } from './args.js';

/**
 * What LMDB itself costs through the lmdb package, with no input to read and no key to cut: the
 * floor under `table build` and `mf-join`. `--append N`: N keys already in order, with ~90-byte
 * values, appended in one write-map transaction as the build does (records/s written); with
 * `--scattered`, read from one memory in the table's input order, as the build reads them.
 * `--get TABLE --keys N --lookups M`: M lookups of random keys, half of them in the table of N
 * keys, as the join's events do (lookups/s). Writes the rate to `--out`.
 * Usage: node lmdb-floor.js --out FILE (--append N [--scattered] | --get TABLE --keys N --lookups M)
 */
const args = probeArgs();
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
let rate: number;

const appends = args.option('--append');
if (appends !== undefined) {
  const n = Number(appends);
  // --scattered: the keys and values lie in memory in the table's input order (as the build
  // holds what it read), and are appended in key order, as the build must: each record is
  // read from where the input put it. Else each key is a Buffer of its own, in order.
  const scattered = args.flag('--scattered');
  let keys: Buffer[];
  let values: Buffer[];
  if (scattered) {
    const random = createRandom(21);
    const lengths = Array.from({ length: n }, () => 80 + Math.floor(random() * 21));
    const arena = Buffer.allocUnsafeSlow(lengths.reduce((sum, length) => sum + 10 + length, 0));
    keys = new Array<Buffer>(n);
    values = new Array<Buffer>(n);
    // The table's order: user `line * 7919 mod n` on line `line` (table-data.ts).
    for (let line = 0, at = 0; line < n; line++) {
      const user = (line * 7919) % n;
      arena.write(userKey(user), at, 'latin1');
      arena.fill(97, at + 10, at + 10 + lengths[line]!);
      keys[user] = arena.subarray(at, at + 9);
      values[user] = arena.subarray(at + 10, at + 10 + lengths[line]!);
      at += 10 + lengths[line]!;
    }
  } else {
    keys = Array.from({ length: n }, (_, i) => Buffer.from(userKey(i), 'latin1'));
    values = new Array<Buffer>(n).fill(Buffer.alloc(90, 'ka lo mi '));
  }
  const folder = mkdtempSync(join(tmpdir(), 'mf-floor-'));
  try {
    const db = open<Buffer, Buffer>({
      path: join(folder, 'floor.mdb'),
      noSubdir: true,
      keyEncoding: 'binary',
      encoding: 'binary',
      mapSize: 4 * n * 128 + 2 ** 30,
      cache: false,
      compression: false,
      noSync: true,
      noMemInit: true,
      useWritemap: true,
    });
    const started = process.hrtime.bigint();
    await db.transactionSync(() => {
      for (let i = 0; i < n; i++) db.putSync(keys[i]!, values[i]!, { append: true } as never);
    });
    rate = n / seconds(started);
    await db.close();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
} else {
  const keys = Number(args.required('--keys'));
  const lookups = Number(args.required('--lookups'));
  const random = createRandom(23);
  // A million keys drawn up front into one buffer (a key is 9 bytes), each lookup a view of it
  // as the join's key is a view of its record: the whole table is visited, not a warm corner.
  const DRAWN = 1 << 20;
  const arena = Buffer.alloc(DRAWN * 9);
  for (let i = 0; i < DRAWN; i++) {
    arena.write(userKey(Math.floor(random() * 2 * keys)), i * 9, 'latin1');
  }
  const db = open<Buffer, Buffer>({
    path: join(args.required('--get'), 'shard-0.mdb'),
    noSubdir: true,
    readOnly: true,
    keyEncoding: 'binary',
    encoding: 'binary',
    cache: false,
  });
  let found = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < lookups; i++) {
    const at = (i & (DRAWN - 1)) * 9;
    if (db.getBinaryFast(arena.subarray(at, at + 9)) !== undefined) found++;
  }
  rate = lookups / seconds(started);
  if (found === 0) throw new Error('no key found: is this the users table?');
  await db.close();
}
writeFileSync(args.required('--out'), `${Math.round(rate)}\n`);
