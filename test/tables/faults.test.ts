import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTable } from '../../filters/tables/index.js';
import { bin, fixture, manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { holdsWithin, killQuietly } from '../support/proc.js';
import { finish, waitForExit } from '../support/spawn.js';
import { builtTable, getKeys, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

const lookup = fixture('table-lookup.js');

/** A lookup process kept running: one key in, one line out, for as long as the test wants. */
function startReader(table: string): {
  child: ChildProcess;
  ask: (key: string) => Promise<string>;
} {
  const child = spawn(lookup, ['--table', `t=${table}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  onCleanup(() => killQuietly(child.pid!));
  let buffered = '';
  const waiting: ((line: string) => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()?.(line);
    }
  });
  const ask = (key: string) =>
    new Promise<string>((resolve) => {
      waiting.push(resolve);
      child.stdin!.write(`${key}\n`);
    });
  return { child, ask };
}

/**
 * A build over the table `t` (`k old`) in a fresh folder, given 20,000 records on stdin that it
 * keeps open: it waits for more, its folder (named for its pid) made.
 */
async function buildOverTable(): Promise<{
  dir: string;
  table: string;
  build: ChildProcess;
}> {
  const dir = tempDir();
  const table = await builtTable(dir, 't', 'k old\n', ['--key', 'field:1']);
  const build = await buildWaiting(
    dir,
    't',
    Array.from({ length: 20000 }, (_, i) => `k${i} new\n`).join(''),
  );
  return { dir, table, build };
}

/**
 * A build into `<name>.mft` in `dir`, `--key field:1`, given `records` on stdin that it keeps
 * open: it waits for more, its folder (named for its pid) and the folder's first shard made.
 */
async function buildWaiting(
  dir: string,
  name: string,
  records: string,
  within = 20_000,
): Promise<ChildProcess> {
  const target = join(dir, `${name}.mft`);
  const build = spawn(manifold, ['table', 'build', '-', '--key', 'field:1', '-o', target], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  onCleanup(() => killQuietly(build.pid!));
  build.stdin!.write(records);
  const shard = join(dir, `.${name}.mft.building-${build.pid}`, 'shard-0.mdb');
  expect(await holdsWithin(() => existsSync(shard), within)).toBe(true);
  return build;
}

describe('a build that dies', () => {
  it('leaves the table at the name as it was, and its own folder named for its pid, removed by the next build', async () => {
    const { dir, table, build } = await buildOverTable();
    build.kill('SIGKILL');
    await waitForExit(build);
    expect(readdirSync(dir).sort()).toEqual([`.t.mft.building-${build.pid}`, 't.in', 't.mft']);
    expect((await getKeys(table, ['k'])).stdout.toString()).toBe('k old\n');

    writeInput(dir, 't.in', 'k new\n');
    const again = await run(manifold, [
      'table',
      'build',
      join(dir, 't.in'),
      '--key',
      'field:1',
      '-o',
      table,
    ]);
    expect(again.exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['t.in', 't.mft']);
    expect((await getKeys(table, ['k'])).stdout.toString()).toBe('k new\n');
  });

  it('leaves nothing at the name when there was no table before', async () => {
    const dir = tempDir();
    const target = join(dir, 'fresh.mft');
    const build = await buildWaiting(dir, 'fresh', 'a 1\nb 2\n');
    build.kill('SIGKILL');
    await waitForExit(build);
    expect(existsSync(target)).toBe(false);
    const failed = await getKeys(target, ['a']);
    expect(failed.stderr).toBe(`manifold: table ${target}: no such table (nothing at that path)\n`);
    expect(failed.exitCode).toBe(2);
  });
});

describe('a build stopped by a signal', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} dies of it and removes its folder, leaving the table at the name as it was`, async () => {
      const { dir, table, build } = await buildOverTable();
      build.kill(signal);
      const end = await waitForExit(build);
      expect(end.signal).toBe(signal);
      expect(readdirSync(dir).sort()).toEqual(['t.in', 't.mft']);
      expect((await getKeys(table, ['k'])).stdout.toString()).toBe('k old\n');
    });
  }
});

/** `big.in` in `dir`: `count` records `k<n> v`, their keys in scrambled order. */
function scrambledKeys(dir: string, count: number): string {
  const lines = Array.from({ length: count }, (_, i) => `k${(i * 7919) % count} v\n`);
  return writeInput(dir, 'big.in', lines.join(''));
}

/** A build of `input` into `dir/t.mft`, and the shard file its folder will hold. */
function startBuild(dir: string, input: string): { build: ChildProcess; shard: string } {
  const target = join(dir, 't.mft');
  const build = spawn(manifold, ['table', 'build', input, '--key', 'field:1', '-o', target], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  onCleanup(() => killQuietly(build.pid!));
  return { build, shard: join(dir, `.t.mft.building-${build.pid}`, 'shard-0.mdb') };
}

describe('a build stopped while it reads', () => {
  it('dies of the signal at once, not when its input ends', async () => {
    const dir = tempDir();
    const input = scrambledKeys(dir, 2_000_000);
    // A pipe the test keeps open: the build's input never ends.
    const fifo = join(dir, 'in.fifo');
    execFileSync('mkfifo', [fifo]);
    const held = openSync(fifo, 'r+');
    onCleanup(() => closeSync(held));
    const { build, shard } = startBuild(dir, fifo);
    const feed = spawn('sh', ['-c', 'exec cat "$1" > "$2"', 'sh', input, fifo], {
      stdio: 'ignore',
    });
    onCleanup(() => killQuietly(feed.pid!));
    expect(await holdsWithin(() => existsSync(shard), 60_000)).toBe(true);
    // Reading and cutting records took no turn of the event loop, where signals are handled:
    // the signal waited for the next read, which waits for a writer that never writes.
    build.kill('SIGTERM');
    const end = await waitForExit(build);
    expect(end.signal).toBe('SIGTERM');
    expect(readdirSync(dir).sort()).toEqual(['big.in', 'in.fifo']);
    // Its input (2 M records) is written first, and its wait was vitest's whole 30 s limit.
  }, 90_000);
});

describe('a build stopped while it writes (synchronously: the sort and the appends)', () => {
  it('dies of the signal, placing no table', async () => {
    const dir = tempDir();
    const { build, shard } = startBuild(dir, scrambledKeys(dir, 600_000));
    // Blocks are allocated ahead of LMDB once the appends have begun.
    const appending = () => existsSync(shard) && statSync(shard).blocks * 512 >= 1024 * 1024;
    expect(await holdsWithin(appending, 60_000)).toBe(true);
    // Stopped there, so that the signal comes while JavaScript runs between turns of its loop.
    build.kill('SIGSTOP');
    build.kill('SIGTERM');
    build.kill('SIGCONT');
    const end = await waitForExit(build);
    expect(end.signal).toBe('SIGTERM');
    expect(readdirSync(dir)).toEqual(['big.in']);
    // A build of 600,000 records sorted before the signal: its wait was vitest's whole 30 s limit.
  }, 90_000);
});

describe('readers', () => {
  it('keep seeing the table they opened when it is rebuilt under the same name; new readers see the new one', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 't', 'k old\n', ['--key', 'field:1']);
    const reader = startReader(table);
    expect(await reader.ask('k')).toBe('k\tget:k old');
    writeInput(dir, 'new.in', 'k new\n');
    const rebuilt = await run(manifold, [
      'table',
      'build',
      join(dir, 'new.in'),
      '--key',
      'field:1',
      '-o',
      table,
    ]);
    expect(rebuilt.exitCode).toBe(0);
    expect(await reader.ask('k')).toBe('k\tget:k old');
    expect((await getKeys(table, ['k'])).stdout.toString()).toBe('k new\n');
    reader.child.stdin!.end();
    expect((await waitForExit(reader.child)).exitCode).toBe(0);
  });

  it('are not blocked by the reader slot of a reader killed mid-read (LMDB frees a dead process’s slot)', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 't', 'k v\n', ['--key', 'field:1']);
    // Two reader slots only: one live reader and one killed one fill them all.
    const metaPath = join(table, 'table.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    meta.lmdb.maxReaders = 2;
    writeFileSync(metaPath, JSON.stringify(meta));
    rmSync(join(table, 'shard-0.mdb-lock'));
    const live = startReader(table);
    expect(await live.ask('k')).toBe('k\tget:k v');
    const killed = startReader(table);
    expect(await killed.ask('k')).toBe('k\tget:k v');
    killed.child.kill('SIGKILL');
    await waitForExit(killed.child);
    for (let i = 0; i < 3; i++) {
      const next = await run(lookup, ['--table', `t=${table}`], 'k\n');
      expect(next.stderr).toBe('');
      expect(next.stdout.toString()).toBe('k\tget:k v\n');
    }
    live.child.stdin!.end();
    expect((await waitForExit(live.child)).exitCode).toBe(0);
  });

  it('run in several processes at once while another process builds a different table', async () => {
    // The build is held mid-way by its input, a pipe the test keeps open, while the readers run:
    // it overlaps them by construction (it was a build of a 100,000-record file started beside
    // them, overlapping them only as long as it happened to take). The expected output and the
    // reader kept open are this process's own: the test starts 6 processes, not 8 (2 builds, 4
    // mf-join), and has a limit for them: it had vitest's 30 s, within which it waited up to
    // 60 s for its processes, and with four copies of faults.test.ts and two busy loops (load
    // 40-65) it passed 30 s in 20 runs of 20.
    const dir = tempDir();
    const users = Array.from({ length: 3000 }, (_, i) => `u${i}\tname${i}\n`).join('');
    const table = await builtTable(dir, 'users', users, ['--key', 'field:1', '--field-sep', 'tab']);
    const keys = Array.from({ length: 20000 }, (_, i) => (i * 7) % 6000);
    const events = keys.map((key, i) => `e${i}\tu${key}\n`).join('');
    const eventsPath = writeInput(dir, 'events.tsv', events);
    const expected = keys
      .flatMap((key, i) => (key < 3000 ? [`e${i}\tu${key}\tu${key}\tname${key}\n`] : []))
      .join('');
    const others = Array.from({ length: 20000 }, (_, i) => `o${i} x\n`).join('');
    const build = await buildWaiting(dir, 'other', others, 50_000);
    const other = join(dir, 'other.mft');
    const building = join(dir, `.other.mft.building-${build.pid}`);
    // A reader kept open while the build ends: it reads on as the other table is written,
    // committed and renamed into place.
    const open = openTable(table);
    onCleanup(() => open.close());
    expect(open.getString('u7')).toBe('u7\tname7');
    const readers = Array.from({ length: 4 }, () =>
      spawn(
        '/bin/sh',
        [
          '-c',
          `exec "$0" --table "users=$1" --key field:2 < "$2"`,
          bin('mf-join'),
          table,
          eventsPath,
        ],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ),
    );
    for (const child of readers) onCleanup(() => killQuietly(child.pid!));
    const results = await Promise.all(readers.map((child) => finish(child, 50_000)));
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout.toString()).toBe(expected);
    }
    expect(existsSync(building)).toBe(true);
    build.stdin!.end();
    const built = await finish(build, 50_000);
    expect({ exitCode: built.exitCode, stderr: built.stderr }).toEqual({
      exitCode: 0,
      stderr: expect.stringMatching(/^manifold: built .*: 20000 records, /),
    });
    expect(open.getString('u2999')).toBe('u2999\tname2999');
    const opened = openTable(other);
    onCleanup(() => opened.close());
    expect(opened.getString('o19999')).toBe('o19999 x');
    // Six processes, two of them builds, one after another under a loaded machine's share.
  }, 120_000);
});
