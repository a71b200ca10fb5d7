import { createWriteStream } from 'node:fs';

/** A small deterministic generator (LCG), so every run measures the same bytes. */
export function createRandom(seed = 42): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = [
  '/',
  '/index.html',
  '/api/items',
  '/api/users',
  '/static/app.js',
  '/static/style.css',
  '/login',
  '/search',
  '/api/orders',
  '/healthz',
];
const STATUSES = [200, 200, 200, 200, 200, 304, 301, 404, 500, 503];
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64)',
  'curl/8.5.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1)',
  'python-requests/2.31',
];

/**
 * One access-log line in the combined format, about 130 bytes: the kind of text people push
 * through filters by the gigabyte.
 */
export function accessLogLine(random: () => number, index: number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const ip = `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
  const second = index % 60;
  const minute = Math.floor(index / 60) % 60;
  const time = `21/Nov/2026:10:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')} +0000`;
  const path = `${pick(PATHS)}${random() < 0.5 ? `/${Math.floor(random() * 10000)}` : ''}`;
  const bytes = Math.floor(random() * 50000);
  const ms = (random() * 2).toFixed(3);
  return `${ip} - - [${time}] "${pick(METHODS)} ${path} HTTP/1.1" ${pick(STATUSES)} ${bytes} "-" "${pick(AGENTS)}" ${ms}`;
}

/** Writes about `bytes` bytes of access-log lines to `file`. */
export async function writeAccessLog(file: string, bytes: number, seed = 42): Promise<void> {
  const random = createRandom(seed);
  let index = 0;
  await writeLines(file, bytes, () => accessLogLine(random, index++));
}

/** Writes lines from `nextLine` (each without its newline) to `file` until about `bytes`. */
export async function writeLines(
  file: string,
  bytes: number,
  nextLine: () => string,
): Promise<void> {
  const out = createWriteStream(file);
  let written = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 4096 && written < bytes; i++) {
      const line = `${nextLine()}\n`;
      lines.push(line);
      written += line.length;
    }
    if (!out.write(lines.join('')))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ne',
  'ru',
  'sa',
  'ti',
  'vo',
  'ze',
  'pa',
  'qu',
  'di',
  'fo',
  'ge',
];

/**
 * Writes about `bytes` bytes of short lines of words, 80 to 100 bytes each (~90 on average): the
 * other shape of text people push through filters, where per-record costs show more than in
 * long log lines.
 */
export async function writeWordLines(file: string, bytes: number, seed = 11): Promise<void> {
  const random = createRandom(seed);
  const word = () => {
    let w = '';
    const n = 1 + Math.floor(random() * 4);
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    return w;
  };
  await writeLines(file, bytes, () => {
    const length = 80 + Math.floor(random() * 21);
    let line = word();
    while (line.length < length) line += ` ${word()}`;
    return line.slice(0, length);
  });
}
