#!/usr/bin/env node
// Writes deterministic access-log lines (combined format) to stdout: node generate.mjs [lines]
// A reader that goes early (`| head -1`) ends this writer quietly, as `yes` ends: status 141.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 141 : 1));
let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = (list) => list[Math.floor(random() * list.length)];
const paths = [
  '/',
  '/index.html',
  '/api/items',
  '/api/users',
  '/static/app.js',
  '/static/site.css',
  '/login',
  '/search',
  '/api/orders',
  '/about',
  '/contact',
  '/blog',
];
const statuses = [200, 200, 200, 200, 304, 301, 404, 404, 500];
const count = Number(process.argv[2] ?? 200_000);
const lines = [];
for (let i = 0; i < count; i++) {
  const path =
    pick(paths) +
    (random() < 0.3 ? `/${Math.floor(random() * 40)}` : '') +
    (random() < 0.2 ? '?q=1' : '');
  const ip = `10.0.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
  lines.push(
    `${ip} - - [21/Nov/2026:10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000] "GET ${path} HTTP/1.1" ${pick(statuses)} ${Math.floor(random() * 9000)} "-" "curl/8.5.0"`,
  );
  if (lines.length === 10_000) process.stdout.write(`${lines.splice(0).join('\n')}\n`);
}
if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
