import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { ask, type Reply, startServe, stop } from '../support/serve.js';
import { makeDir } from '../support/temp.js';

// One table of text values (some needing JSON escapes) and one of bytes that are not UTF-8,
// built once with `manifold table build`, then served by real server processes.
const { dir, remove } = makeDir('manifold-serve-');
afterAll(remove);
const users = new Map<string, Buffer>();
for (let i = 0; i < 3000; i++) {
  const extra = i % 7 === 0 ? ' "quoted" \\ back' : i % 11 === 0 ? ' café ☕' : '';
  users.set(`u${String(i).padStart(5, '0')}`, Buffer.from(`name ${i}${extra}`));
}
const blobs = new Map<string, Buffer>([
  ['b1', Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41])],
  ['b2', Buffer.from([0xc3, 0x28])],
  ['b3', Buffer.from('two\n')],
]);
const withNewline = (value: Buffer) => Buffer.concat([value, Buffer.from('\n')]);
const usersTable = join(dir, 'users.mft');
const blobsTable = join(dir, 'blobs.mft');
const shardedTable = join(dir, 'sharded.mft');

/** Records `key TAB value`, each ended by `end`: a value with a newline needs another end. */
async function build(entries: Map<string, Buffer>, table: string, shards = 1, end = '\n') {
  const tsv = `${table}.tsv`;
  const lines = [...entries].map(([key, value]) =>
    Buffer.concat([Buffer.from(`${key}\t`), value, Buffer.from(end)]),
  );
  writeFileSync(tsv, Buffer.concat(lines));
  const built = await run('node', [
    manifold,
    'table',
    'build',
    tsv,
    '--key',
    'field:1',
    '--value',
    'field:2',
    '--field-sep',
    'tab',
    '--shards',
    String(shards),
    '--split',
    end === '\n' ? 'lines' : `delim:${end}`,
    '-o',
    table,
  ]);
  expect(built.exitCode, built.stderr).toBe(0);
}

beforeAll(async () => {
  await build(users, usersTable);
  await build(blobs, blobsTable, 1, '|#|');
  await build(users, shardedTable, 3);
});

/** The NDJSON answer a batch of `keys` must get, worked out from the data, not the server. */
const expected = (keys: string[]) =>
  keys.map((key) => {
    const value = users.get(key);
    return value === undefined ? 'null' : JSON.stringify(value.toString('utf8'));
  });
const lines = (reply: Reply) => reply.body.toString('utf8').split('\n').slice(0, -1);

/** Keys half in the table, half not, in a scrambled order. */
const someKeys = (count: number) =>
  Array.from({ length: count }, (_, i) => `u${String((i * 7919) % 6000).padStart(5, '0')}`);

describe('table serve over TCP', () => {
  let url: string;
  let target: { url: string };
  beforeAll(async () => {
    const served = await startServe(
      [usersTable, `blobs=${blobsTable}`, `sharded=${shardedTable}`],
      true,
    );
    url = served.address;
    target = { url };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    return async () => {
      expect(await stop(served)).toEqual({ exitCode: 0, signal: null });
    };
  });

  it('GET / lists the tables with their meta; GET /NAME gives one', async () => {
    const list = await ask(target, 'GET', '/');
    expect(list.status).toBe(200);
    const { tables } = JSON.parse(list.body.toString()) as {
      tables: { name: string; meta: { keys: number } }[];
    };
    expect(tables.map((t) => [t.name, t.meta.keys])).toEqual([
      ['users', 3000],
      ['blobs', 3],
      ['sharded', 3000],
    ]);
    const one = await ask(target, 'GET', '/blobs');
    expect(JSON.parse(one.body.toString())).toMatchObject({ keys: 3, key: 'field:1' });
  });

  it('GET /NAME/KEY gives the value bytes and a newline, or 404 with one line', async () => {
    const hit = await ask(target, 'GET', '/users/u00007');
    expect(hit.status).toBe(200);
    expect(hit.body).toEqual(withNewline(users.get('u00007')!));
    const miss = await ask(target, 'GET', '/users/nobody');
    expect(miss.status).toBe(404);
    expect(miss.body.toString()).toMatch(/^[^\n]*nobody[^\n]*\n$/);
    const binary = await ask(target, 'GET', '/blobs/b1');
    expect(binary.body).toEqual(withNewline(blobs.get('b1')!));
    // A value ending in a newline of its own still gets one: all bytes but the last are it.
    expect((await ask(target, 'GET', '/blobs/b3')).body).toEqual(Buffer.from('two\n\n'));
    // Keys are URL-decoded to bytes: %62%31 is b1.
    expect((await ask(target, 'GET', '/blobs/%62%31')).body).toEqual(binary.body);
    // Node's fetch too, and HEAD, with the same length.
    const fetched = await fetch(`${url}/users/u00011`);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(withNewline(users.get('u00011')!));
    const head = await fetch(`${url}/users/u00011`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([
      200,
      String(users.get('u00011')!.length + 1),
    ]);
  });

  it('GET /NAME/KEY answers as `manifold table get` prints a value', async () => {
    const got = await run('node', [manifold, 'table', 'get', usersTable, 'u00014']);
    expect(got.exitCode).toBe(0);
    expect((await ask(target, 'GET', '/users/u00014')).body).toEqual(got.stdout);
  });

  it.each([1, 100, 1000, 5000])(
    'POST a batch of %i keys: one NDJSON line per key, in order',
    async (count) => {
      const keys = someKeys(count);
      const reply = await ask(target, 'POST', '/users', `${keys.join('\n')}\n`);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(lines(reply)).toEqual(expected(keys));
      // The same without the final newline, and as a JSON array.
      expect(lines(await ask(target, 'POST', '/users', keys.join('\n')))).toEqual(expected(keys));
      const json = await ask(target, 'POST', '/users', JSON.stringify(keys), {
        'content-type': 'application/json',
      });
      expect(lines(json)).toEqual(expected(keys));
    },
  );

  it('a sharded table is served whole: every shard is opened', async () => {
    const keys = someKeys(2000);
    expect(lines(await ask(target, 'POST', '/sharded', keys.join('\n')))).toEqual(expected(keys));
    expect((await ask(target, 'GET', '/sharded/u00042')).body).toEqual(
      withNewline(users.get('u00042')!),
    );
  });

  it('a batch answers as `manifold table get` does', async () => {
    const keys = someKeys(40);
    const got = await run('node', [manifold, 'table', 'get', usersTable, ...keys]);
    const reply = lines(await ask(target, 'POST', '/users', keys.join('\n')));
    const values = reply
      .filter((line) => line !== 'null')
      .map((line) => JSON.parse(line) as string);
    expect(got.stdout.toString()).toBe(values.map((value) => `${value}\n`).join(''));
  });

  it('bytes that are not UTF-8: exact in base64, and never silently changed', async () => {
    const keys = ['b1', 'nope', 'b2'];
    const base64 = await ask(target, 'POST', '/blobs?encoding=base64', keys.join('\n'));
    expect(lines(base64)).toEqual([
      JSON.stringify(blobs.get('b1')!.toString('base64')),
      'null',
      JSON.stringify(blobs.get('b2')!.toString('base64')),
    ]);
    const text = lines(await ask(target, 'POST', '/blobs', keys.join('\n')));
    expect(text[1]).toBe('null');
    for (const line of [text[0]!, text[2]!]) expect(JSON.parse(line)).toHaveProperty('error');
  });

  it.each([
    // A table's name is quoted as the shell would, as every line of manifold quotes a name;
    // not as JSON (`no table "nosuch" here`).
    ['GET', '/nosuch/k', 404, /^no table nosuch here \(/],
    ['POST', '/nosuch', 404, /^no table nosuch here \(/],
    ['GET', '/my%20users/k', 404, /^no table 'my users' here \(/],
    ['DELETE', '/users/u00001', 405, /method not allowed/],
    ['PUT', '/users', 405, /method not allowed/],
    ['POST', '/', 405, /method not allowed/],
    ['GET', '/users/%zz', 400, /URL-encoded/],
    ['GET', '/users/two%0Alines', 404, /no key "two\\x0alines" in users\n$/],
    // As `table get` names it (it was JSON's "\u0001z").
    ['GET', '/users/%01z%FF', 404, /no key "\\x01z\\xff" in users\n$/],
    // A table given by its path is named as --table PATH names it; its name with the extension:
    [
      'GET',
      '/users.mft/u00001',
      404,
      /^no table users\.mft here: a table given by its path is named without its extension, \/users \(/,
    ],
    ['GET', '/no%0Atable/k', 404, /^no table \$'no\\ntable' here \(/],
    ['GET', '/users/', 400, /no key/],
    ['POST', '/users?encoding=hex', 400, /encoding "hex"/],
  ])('%s %s: %i with one line', async (method, path, status, message) => {
    const reply = await ask(target, method, path, method === 'POST' ? 'u00001\n' : undefined);
    expect(reply.status).toBe(status);
    expect(reply.body.toString()).toMatch(message);
    expect(reply.body.toString()).toMatch(/^[^\n]+\n$/);
  });

  it('a JSON body that is not an array of strings: 400', async () => {
    for (const body of ['{"a":1}', '[1,2]', '[']) {
      const reply = await ask(target, 'POST', '/users', body, {
        'content-type': 'application/json',
      });
      expect(reply.status).toBe(400);
    }
    // And the server still answers.
    expect((await ask(target, 'GET', '/users/u00001')).status).toBe(200);
  });
});
