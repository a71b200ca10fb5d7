#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { createRandom } from '../data.js';
import { userKey } from '../table-data.js';
import { probeArgs } from './args.js';

/**
 * Lookups per second through `manifold table serve`: starts the server command given after
 * `--` (its table named `users`), reads the address it prints, then for `--seconds` keeps 4
 * requests under way on kept-alive connections, each `GET /users/KEY` (`--batch 1`) or a
 * `POST /users` of `--batch` keys, half of them in the table (`--keys` users). Writes the
 * lookups per second to `--out`, then stops the server with SIGTERM.
 * Usage: node serve.js --out FILE --batch N --keys N --seconds S -- manifold table serve ...
 */
const args = probeArgs();
const option = args.required;
const batch = Number(option('--batch'));
const keys = Number(option('--keys'));
const command = args.command;
const CONCURRENT = 4;

const server = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
const [url] = await createInterface({ input: server.stdout })
  [Symbol.asyncIterator]()
  .next()
  .then((line) => [line.value as string | undefined]);
if (url === undefined) throw new Error(`the server printed no address: ${command.join(' ')}`);
const { hostname, port } = new URL(url);

// Requests drawn in advance, so the client's own work per request stays small.
const random = createRandom(5);
const drawKey = () => userKey(Math.floor(random() * 2 * keys));
const bodies = Array.from({ length: 64 }, () =>
  Buffer.from(`${Array.from({ length: batch }, drawKey).join('\n')}\n`),
);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT });

function lookup(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = bodies[i % bodies.length]!;
    const path = batch === 1 ? `/users/${body.toString('latin1').trim()}` : '/users';
    const req = request(
      { host: hostname, port, path, method: batch === 1 ? 'GET' : 'POST', agent },
      (res) => {
        if (res.statusCode !== 200 && res.statusCode !== 404)
          reject(new Error(`${res.statusCode}`));
        res.on('data', () => {});
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(batch === 1 ? undefined : body);
  });
}

const deadline = Date.now() + Number(option('--seconds')) * 1000;
let done = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: CONCURRENT }, async (_, lane) => {
    for (let i = lane; Date.now() < deadline; i += CONCURRENT) {
      await lookup(i);
      done++;
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
agent.destroy();
server.kill('SIGTERM');
if ((await exited) !== 0) throw new Error('the server did not exit 0 on SIGTERM');
writeFileSync(option('--out'), `${Math.round((done * batch) / seconds)}\n`);
