import { rmSync } from 'node:fs';
import { open } from 'lmdb';

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const n = 1_000_000;
const arena = Buffer.alloc(n * 100);
for (let i = 0; i < n; i++) {
  arena.write(`u${String(i).padStart(8, '0')}`, i * 100, 'latin1');
  arena.fill(97, i * 100 + 9, i * 100 + 100);
}
const mode = process.argv[2];
rmSync('/tmp/t12/p.mdb', { force: true });
rmSync('/tmp/t12/p.mdb-lock', { force: true });
const db = open({
  path: '/tmp/t12/p.mdb',
  noSubdir: true,
  keyEncoding: 'binary',
  encoding: 'binary',
  mapSize: 2 ** 34,
  cache: false,
  compression: false,
  noSync: true,
  noMemInit: true,
  overlappingSync: false,
  useWritemap: process.env.WM === '1',
});
const keys = [];
const vals = [];
for (let i = 0; i < n; i++) {
  keys.push(arena.subarray(i * 100, i * 100 + 9));
  vals.push(arena.subarray(i * 100 + 10, i * 100 + 100));
}
const t0 = cpu(),
  w0 = performance.now();
const APP = { append: true };
if (mode === 'sync') {
  await db.transactionSync(() => {
    for (let i = 0; i < n; i++) db.putSync(keys[i], vals[i], APP);
  });
} else if (mode === 'async') {
  let last;
  for (let i = 0; i < n; i++)
    last = db.put(
      arena.subarray(i * 100, i * 100 + 9),
      arena.subarray(i * 100 + 10, i * 100 + 100),
      APP,
    );
  await last;
} else if (mode === 'asyncchunks') {
  for (let s = 0; s < n; s += 65536) {
    let last;
    for (let i = s; i < Math.min(n, s + 65536); i++)
      last = db.put(
        arena.subarray(i * 100, i * 100 + 9),
        arena.subarray(i * 100 + 10, i * 100 + 100),
        APP,
      );
    await last;
  }
}
const t1 = cpu(),
  w1 = performance.now();
await db.close();
const { statSync } = await import('node:fs');
console.log(mode, { cpu: t1 - t0, wall: w1 - w0, size: statSync('/tmp/t12/p.mdb').size });
