import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { leftovers } from '../support/proc.js';
import { ask, startServe, stop } from '../support/serve.js';
import { hasStackTrace } from '../support/spawn.js';
import { makeDir, tempDir } from '../support/temp.js';

// The server as a process: where it listens, what it refuses, how it ends.
const { dir, remove } = makeDir('manifold-serve-');
afterAll(remove);
const table = join(dir, 'users.mft');
const hasCurl = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v curl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  writeFileSync(`${table}.tsv`, 'alice\tadmin\nbob\tuser\n');
  const built = await run('node', [
    manifold,
    ...['table', 'build', `${table}.tsv`, '--key', 'field:1', '--value', 'field:2'],
    ...['--field-sep', 'tab', '-o', table],
  ]);
  expect(built.exitCode, built.stderr).toBe(0);
});

describe('table serve, the process', () => {
  it('serves on a Unix socket, removes it at the end, and replaces one left by a killed server', async () => {
    const socketPath = join(tempDir(), 'users.sock');
    const served = await startServe([`users=${table}`, '--socket', socketPath]);
    expect(served.address).toBe(socketPath);
    expect((await ask({ socketPath }, 'GET', '/users/alice')).body.toString()).toBe('admin\n');
    const batch = await ask({ socketPath }, 'POST', '/users', 'bob\ncarol\nalice\n');
    expect(batch.body.toString()).toBe('"user"\nnull\n"admin"\n');
    if (hasCurl) {
      const curl = await run('curl', ['-sS', '--unix-socket', socketPath, 'http://x/users/bob']);
      expect(curl.stdout.toString()).toBe('user\n');
    }
    expect(await stop(served)).toEqual({ exitCode: 0, signal: null });
    expect(existsSync(socketPath)).toBe(false);

    // A server killed outright leaves its socket file: the next one takes the path over.
    const killed = await startServe([`users=${table}`, '--socket', socketPath]);
    expect(await stop(killed, 'SIGKILL')).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(existsSync(socketPath)).toBe(true);
    const next = await startServe([`users=${table}`, '--socket', socketPath]);
    expect((await ask({ socketPath }, 'GET', '/users/bob')).status).toBe(200);
    // While it runs, a second server on the same path is refused.
    const second = await run('node', [manifold, 'table', 'serve', table, '--socket', socketPath]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/^manifold: --socket .*already listens there\n$/);
    await stop(next);
  });

  it('a port in use, a --socket path that holds a file, or one in no folder: one line each (exit 1, 2, 2)', async () => {
    const first = await startServe([table]);
    const taken = await run('node', [
      ...[manifold, 'table', 'serve', table, '--listen', first.address.slice('http://'.length)],
    ]);
    expect(taken.exitCode).toBe(1);
    // Said in words, as every system error of manifold is (was the bare `EADDRINUSE`).
    expect(taken.stderr).toMatch(
      /^manifold: cannot listen on 127\.0\.0\.1:\d+: address already in use \(EADDRINUSE\)\n$/,
    );
    await stop(first);
    const file = join(tempDir(), 'not-a-socket');
    writeFileSync(file, 'keep me\n');
    const refused = await run('node', [manifold, 'table', 'serve', table, '--socket', file]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^manifold: --socket .*not a socket is there\n$/);
    expect(existsSync(file)).toBe(true);
    // An empty path was Node's `RangeError: options.port should be >= 0 and < 65536`, exit 1;
    // one past sun_path's 107 bytes was bound cut short, at a path no one gave, and served.
    const empty = await run('node', [manifold, 'table', 'serve', table, '--socket', '']);
    expect({ exitCode: empty.exitCode, stderr: empty.stderr }).toEqual({
      exitCode: 2,
      stderr: "manifold: --socket '': give the path to listen at\n",
    });
    const folder = tempDir();
    const long = join(folder, 's'.repeat(Math.max(1, 120 - folder.length)));
    // Should it serve again, the guard ends it (a failure, not a hang).
    const tooLong = await run('node', [manifold, 'table', 'serve', table, '--socket', long], '', {
      timeout: 60_000,
    });
    expect({ exitCode: tooLong.exitCode, stderr: tooLong.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --socket ${long}: too long for a Unix socket (${Buffer.byteLength(long)} bytes; at most 107): give a shorter path\n`,
    });
    expect(readdirSync(folder)).toEqual([]);
    // libuv turns bind's ENOENT into EACCES: the line said `cannot listen on ...: EACCES`, exit 1.
    const nowhere = join(tempDir(), 'no-folder', 'users.sock');
    const missing = await run('node', [manifold, 'table', 'serve', table, '--socket', nowhere]);
    expect({ exitCode: missing.exitCode, stderr: missing.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --socket ${nowhere}: no such directory ${dirname(nowhere)}\n`,
    });
    // A file where the folder should be: was `no such directory .../not-a-socket`.
    const underFile = join(file, 'users.sock');
    const notFolder = await run('node', [manifold, 'table', 'serve', table, '--socket', underFile]);
    expect({ exitCode: notFolder.exitCode, stderr: notFolder.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --socket ${underFile}: ${file} is not a directory\n`,
    });
    // A folder that takes no socket (procfs): was `cannot listen on /proc/users.sock: EACCES`.
    const proc = await run('node', [
      manifold,
      'table',
      'serve',
      table,
      '--socket',
      '/proc/users.sock',
    ]);
    expect({ exitCode: proc.exitCode, stderr: proc.stderr }).toEqual({
      exitCode: 1,
      stderr: 'manifold: cannot listen on /proc/users.sock: permission denied (EACCES)\n',
    });
    // A path with a blank is quoted as the shell would, as every table command quotes a name
    // (was said bare: `--socket /tmp/x/my folder/users.sock: no such directory /tmp/x/my folder`).
    const blank = join(tempDir(), 'my folder', 'users.sock');
    const quoted = await run('node', [manifold, 'table', 'serve', table, '--socket', blank]);
    expect({ exitCode: quoted.exitCode, stderr: quoted.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --socket '${blank}': no such directory '${dirname(blank)}'\n`,
    });
  });

  it('curl over TCP: GET and a batch', async () => {
    if (!hasCurl) return;
    const served = await startServe([table]);
    const get = await run('curl', ['-sS', `${served.address}/users/alice`]);
    expect(get.stdout.toString()).toBe('admin\n');
    const post = await run(
      'curl',
      ['-sS', '--data-binary', '@-', `${served.address}/users`],
      'alice\nnobody\n',
    );
    expect(post.stdout.toString()).toBe('"admin"\nnull\n');
    const miss = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `${served.address}/users/x`,
    ]);
    expect(miss.stdout.toString()).toBe('404');
    await stop(served);
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    '%s ends it with 0 and nothing left in /proc, an idle kept-alive connection open',
    async (signal) => {
      const served = await startServe([table]);
      const { port } = new URL(served.address);
      const idle = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => idle.once('connect', resolve));
      idle.on('error', () => {});
      expect(await stop(served, signal)).toEqual({ exitCode: 0, signal: null });
      expect(served.stderr()).toBe('');
      expect(await leftovers(served.procs(), 0)).toEqual([]);
      idle.destroy();
    },
  );

  it('a body past --max-body is 413, announced or streamed; the server goes on', async () => {
    const served = await startServe([table, '--max-body', '1K']);
    const target = { url: served.address };
    const big = 'alice\n'.repeat(2000);
    const announced = await ask(target, 'POST', '/users', big);
    expect(announced.status).toBe(413);
    expect(announced.body.toString()).toMatch(
      /^the body is larger than --max-body \(1024 bytes\)\n$/,
    );
    const streamed = await ask(target, 'POST', '/users', big, {
      'transfer-encoding': 'chunked',
    });
    expect(streamed.status).toBe(413);
    expect((await ask(target, 'GET', '/users/bob')).body.toString()).toBe('user\n');
    await stop(served);
  });

  it('a malformed HTTP request: 400, and the server goes on', async () => {
    const served = await startServe([table]);
    const { port } = new URL(served.address);
    const socket = connect(Number(port), '127.0.0.1');
    socket.end('NOT HTTP AT ALL\r\n\r\n');
    let answer = '';
    for await (const chunk of socket) answer += chunk;
    expect(answer).toMatch(
      /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nmalformed HTTP request\n$/,
    );
    expect((await ask({ url: served.address }, 'GET', '/users/bob')).status).toBe(200);
    expect(await stop(served)).toEqual({ exitCode: 0, signal: null });
  });

  it.each([
    [['--listen', '0.0.0.0:0'], /0\.0\.0\.0 is not a loopback address; add --listen-any/],
    [['--listen', '192.168.1.1:8080'], /not a loopback address/],
    [['--listen', 'example.com:80'], /not a loopback address/],
    [['--listen', 'nonsense'], /is not HOST:PORT/],
    [['--listen', '127.0.0.1:70000'], /above 65535/],
    [['--listen', '127.0.0.1:0', '--socket', '/tmp/x.sock'], /exclude each other/],
    [['--max-body', 'lots'], /--max-body lots is not a size/],
  ])('refuses %j: one line, exit 2', async (args, message) => {
    // Were it to serve after all, it is killed rather than left running.
    const result = await run('node', [manifold, 'table', 'serve', table, ...args], '', {
      timeout: 15_000,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stdout.length).toBe(0);
  });

  it('--listen-any allows another address', async () => {
    const served = await startServe([table, '--listen', '0.0.0.0:0', '--listen-any']);
    expect(served.address).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const { port } = new URL(served.address);
    expect((await ask({ url: `http://127.0.0.1:${port}` }, 'GET', '/users/bob')).status).toBe(200);
    await stop(served);
  });

  it('a path that is not a table, or two tables of one name: one line, exit 2', async () => {
    for (const args of [[join(dir, 'none.mft')], [dir], [table, `users=${table}`]]) {
      const result = await run('node', [manifold, 'table', 'serve', ...args]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/^manifold: [^\n]+\n$/);
      expect(hasStackTrace(result.stderr)).toBe(false);
    }
    // Was `manifold: table : no such table (nothing at that path)`; then `table "users=": the
    // path after = is empty`, quoted unlike every other line of manifold and worded unlike
    // the same mistake in --table.
    const empty = await run('node', [manifold, 'table', 'serve', 'users=']);
    expect({ exitCode: empty.exitCode, stderr: empty.stderr }).toEqual({
      exitCode: 2,
      stderr: 'manifold: table users=: the path after = is empty; give NAME=PATH\n',
    });
  });

  it('an empty argument, an empty name, or a name that cannot be one: one line that says which, quoted as the shell would, exit 2', async () => {
    // Names were quoted as JSON ("my users.mft"), unlike every other table command's lines.
    const cases: [string, string][] = [
      // Was `the path after = is empty`, of an argument without =.
      ['', `table '': give a table's folder, or NAME=PATH`],
      // Was `a name is letters, digits, '.', '_' or '-'`, of a name that was not given.
      ['=users.mft', 'table =users.mft: the name before = is empty'],
      [
        'my users.mft',
        `table 'my users.mft': the name 'my users' is not letters, digits, '.', '_' and '-' only: name it with NAME=PATH`,
      ],
      [
        'my users=x.mft',
        `table 'my users=x.mft': the name 'my users' is not letters, digits, '.', '_' and '-' only`,
      ],
      [
        "it's=x.mft",
        `table 'it'\\''s=x.mft': the name 'it'\\''s' is not letters, digits, '.', '_' and '-' only`,
      ],
      [
        'two\nlines=x.mft',
        `table $'two\\nlines=x.mft': the name $'two\\nlines' is not letters, digits, '.', '_' and '-' only`,
      ],
    ];
    for (const [arg, line] of cases) {
      const result = await run('node', [manifold, 'table', 'serve', arg]);
      expect({ arg, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        arg,
        exitCode: 2,
        stderr: `manifold: ${line}\n`,
      });
    }
  });

  it('--help shows the requests and curl examples', async () => {
    const help = await run('node', [manifold, 'table', 'serve', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toMatch(/POST \/NAME/);
    expect(help.stdout.toString()).toMatch(/curl -s --unix-socket/);
    // Ports and sockets no other run has: no fixed port (8080) in any example.
    const examples = help.stdout.toString().split('\nExamples:\n')[1]!;
    for (const option of ['read -r url', '--socket "$sock"', 'mktemp -d', '--listen-any'])
      expect(examples).toContain(option);
    expect(examples).not.toMatch(/^ {2}\S.*:8080/m);
  });
});
