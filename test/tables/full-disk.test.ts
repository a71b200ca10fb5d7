import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { builtTable, writeInput } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

/**
 * A small disk of its own for each build: a 1 MiB tmpfs mounted in a mount namespace of its
 * own (root only), gone with the namespace. `FREE_K` fills it to leave that many KiB. Prints
 * what is left on the disk after the build, and exits with the build's status.
 */
const SCRIPT = `
mount -t tmpfs -o size=1m none "$1" || exit 99
if [ -n "$FREE_K" ]; then
  avail=$(df -k --output=avail "$1" | tail -n 1)
  dd if=/dev/zero of="$1/fill" bs=1k count=$((avail - FREE_K)) 2>/dev/null
fi
"$0" table build "$2" --key field:1 -o "$1/t.mft"
status=$?
ls -A "$1"
exit $status
`;

const canMount =
  process.getuid?.() === 0 &&
  spawnSync('unshare', ['--mount', 'true'], { stdio: 'ignore' }).status === 0;

async function buildOnSmallDisk(input: string, freeKiB?: number) {
  const dir = tempDir();
  const disk = join(dir, 'disk');
  mkdirSync(disk);
  const path = writeInput(dir, 'in.txt', input);
  const result = await run('unshare', ['--mount', 'sh', '-c', SCRIPT, manifold, disk, path], '', {
    env: { ...process.env, FREE_K: freeKiB === undefined ? '' : String(freeKiB) },
  });
  return { ...result, disk, left: result.stdout.toString().split('\n').filter(Boolean) };
}

const lines = (count: number) =>
  Array.from(
    { length: count },
    (_, i) => `k${String(i).padStart(7, '0')} ${'v'.repeat(60)}\n`,
  ).join('');

describe.runIf(canMount)('a build on a full disk', () => {
  it('a table larger than the disk: one line naming it and ENOSPC, exit 1, nothing left (was SIGBUS, 135)', async () => {
    const result = await buildOnSmallDisk(lines(40000));
    expect(result.stderr).toBe(
      `manifold: -o ${result.disk}/t.mft: cannot write the table in ${result.disk} (ENOSPC: no space left on device)\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.left).toEqual([]);
  });

  it('a disk with no room for a new table: the same line (was SIGSEGV, 139)', async () => {
    for (const free of [4, 8, 16]) {
      const result = await buildOnSmallDisk('a 1\nb 2\n', free);
      expect(result.stderr).toBe(
        `manifold: -o ${result.disk}/t.mft: cannot write the table in ${result.disk} (ENOSPC: no space left on device)\n`,
      );
      expect(result.exitCode).toBe(1);
      expect(result.left).toEqual(['fill']);
    }
  });

  it('a table that fits in what is left is built (the room reserved ahead is not asked of the disk)', async () => {
    const result = await buildOnSmallDisk(lines(5000), 900);
    expect(result.stderr).toMatch(/^manifold: built .*: 5000 records, 5000 keys/);
    expect(result.exitCode).toBe(0);
    expect(result.left.sort()).toEqual(['fill', 't.mft']);
  });
});

describe('the lock file of a table', () => {
  // LMDB writes the lock file through a memory map: its header when a shard is made, and each
  // reader's slot (64 bytes, ~60 to a page) as readers come. A page of it that is a hole on a
  // full disk killed the process writing it with SIGBUS: the build, when another process filled
  // the disk just as a shard was made (6 builds of 20 with --shards 200), and the 62nd reader
  // at once (`manifold fan --threads -j 70 -- mf-join` on a full disk).
  it('has every block of it allocated by the build, where only its first page was', async () => {
    const dir = tempDir();
    const table = await builtTable(dir, 't', 'a 1\nb 2\n', ['--key', 'field:1', '--shards', '2']);
    for (const shard of [0, 1]) {
      const lock = statSync(join(table, `shard-${shard}.mdb-lock`));
      expect(lock.size).toBeGreaterThanOrEqual(4096 * 64);
      expect(lock.blocks * 512).toBeGreaterThanOrEqual(lock.size);
    }
  });
});
