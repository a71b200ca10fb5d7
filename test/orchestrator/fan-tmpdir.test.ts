import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { signalWhileFilesHeld } from '../support/block-files.js';
import { fan } from '../support/fan-run.js';
import { commandOf, descendants, environOf, holdsWithin } from '../support/proc.js';
import { spawnManifold, watch } from '../support/spawn.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --tmpdir <dir>: manifold's temporary files (--cat's and --fifo's blocks, --merge sorted's
// spills) go there, not to $TMPDIR, and the workers' TMPDIR is it, as GNU parallel's --tmpdir.
// Every run here has a $TMPDIR that is not there: a file that went there instead would fail its
// run. The folder is looked at afterwards: nothing is left, however the run ended.

/** A $TMPDIR no file can be made in. */
const GONE = '/nonexistent-manifold-tmp';
const goneTmp = { env: { TMPDIR: GONE } };

/** A --tmpdir of the test's own (inside a folder removed after it), empty. */
function privateTmp(): string {
  const dir = join(tempDir('manifold-tmpdir-'), 'tmp');
  mkdirSync(dir);
  return dir;
}

/** Root here: a folder's mode does not stop it writing there. */
const root = process.getuid?.() === 0;

describe.for(['--cat', '--fifo'])('%s --tmpdir: the blocks there, removed after', (mode) => {
  it('each block by a name in the folder, the workers told it as TMPDIR; nothing left', async () => {
    const tmp = privateTmp();
    const result = await fan(
      [
        '-j',
        '2',
        '-N',
        '2',
        mode,
        '--tmpdir',
        tmp,
        '--shell',
        '--',
        'echo "$TMPDIR" {}; cat {} >/dev/null',
      ],
      'a\nb\nc\nd\ne\nf\n',
      goneTmp,
    );
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.toString().trim().split('\n');
    expect(lines.length).toBe(3);
    for (const line of lines)
      expect(line).toMatch(new RegExp(`^${tmp} ${tmp}/mf-block-[0-9a-f]{12}$`));
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('nothing left after a timeout, a halt, and a worker killed by a signal', async () => {
    const tmp = privateTmp();
    const input = 'a\nb\nc\nd\ne\nf\n';
    const args = ['-N', '1', mode, '--tmpdir', tmp, '--shell', '--'];
    const runs = await Promise.all([
      fan(['-j', '2', '--timeout', '1s', ...args, 'exec sleep 1000 # {}'], input, {
        ...goneTmp,
        timeout: 30_000,
      }),
      // Block 1 fails at once while the others hang: --halt now stops them.
      fan(['-j', '3', ...args, '[ $MANIFOLD_BLOCK = 1 ] && exit 4; exec sleep 1000 # {}'], input, {
        ...goneTmp,
        timeout: 30_000,
      }),
      fan(['-j', '2', ...args, 'kill -9 $$ # {}'], input, goneTmp),
    ]);
    expect(runs.map((r) => r.exitCode)).toEqual([1, 1, 1]);
    expect(runs[0]!.stderr).toMatch(/timed out after 1s on block/);
    expect(runs[1]!.stderr).toMatch(/exited with status 4 on block 1/);
    expect(runs[2]!.stderr).toMatch(/was killed by SIGKILL on block/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it.for(['SIGINT', 'SIGTERM'] as const)(
    '%s to manifold while workers hold their blocks there: nothing left',
    async (signal) => {
      const tmp = privateTmp();
      await signalWhileFilesHeld(
        mode,
        ['--tmpdir', tmp],
        { ...process.env, TMPDIR: GONE },
        tmp,
        signal,
      );
    },
  );
});

describe('--tmpdir', () => {
  it('--merge sorted spills there past --merge-memory, and leaves nothing', async () => {
    const tmp = privateTmp();
    const input = Array.from({ length: 60_000 }, (_, i) => `${(i * 7919) % 60_000}\n`).join('');
    const args = ['-j', '3', '--block', '64K', '--per-block', '--merge', 'sorted'];
    const spilled = await fan(
      [...args, '--merge-memory', '64K', '--tmpdir', tmp, '--', 'sort'],
      input,
      { env: { TMPDIR: GONE, LC_ALL: 'C' } },
    );
    expect([spilled.exitCode, spilled.stderr]).toEqual([0, '']);
    const sorted = input.split('\n').filter(Boolean).sort().join('\n');
    expect(spilled.stdout.toString()).toBe(`${sorted}\n`);
    expect(readdirSync(tmp)).toEqual([]);
    // Without it, the same spill goes to $TMPDIR, which is not there.
    const without = await fan([...args, '--merge-memory', '64K', '--', 'sort'], input, {
      env: { TMPDIR: GONE, LC_ALL: 'C' },
    });
    expect(without.exitCode).toBe(1);
    expect(without.stderr).toContain(
      `cannot spill the sorted merge to a temporary file in ${GONE}`,
    );
  });

  // GNU sort -m spills only when it cannot merge its inputs at once (manifold gives it a
  // --batch-size of the workers), so where its TMPDIR points is read in /proc while it runs: it
  // waits, as the workers do, for their output. Each worker reads a byte and sleeps: the first,
  // its pipe full, is passed by (ready dispatch, which sort -m needs), so the second starts too.
  it.for([
    ['--tmpdir', true],
    ["the caller's TMPDIR, without --tmpdir", false],
  ] as const)('sort -m of --merge sorted is given %s', async ([, given]) => {
    const tmp = privateTmp();
    const script = 'head -c 1 > /dev/null; echo "ready $MANIFOLD_WORKER" >&2; exec sleep 600';
    const child = spawnManifold(
      ['fan', '-j', '2', '--block', '64K', '--merge', 'sorted']
        .concat(given ? ['--tmpdir', tmp] : [])
        .concat(['--', 'sh', '-c', script]),
      { LC_ALL: 'C', TMPDIR: GONE },
    );
    const stderr = watch(child.stderr!);
    child.stdin!.on('error', () => {});
    child.stdin!.end(`${'x'.repeat(99)}\n`.repeat(40_000));
    await stderr.waitFor(/^ready \d$/, 2);
    // sort is started through stdbuf, which may not have become sort yet as the workers are.
    let sorts: number[] = [];
    const sorting = () => {
      sorts = descendants(child.pid!).filter((pid) => /^sort -m /.test(commandOf(pid)));
      return sorts.length > 0;
    };
    expect(await holdsWithin(sorting, 10_000), 'sort -m within 10 s').toBe(true);
    expect(sorts).toHaveLength(1);
    const env = environOf(sorts[0]!).split('\0');
    expect(env).toContain(`TMPDIR=${given ? tmp : GONE}`);
    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(143);
  });

  it('a folder that is not there, a file, an empty name, hosts, a queue: one line, exit 2, no worker started', async () => {
    const dir = tempDir('manifold-tmpdir-');
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const cases: [string[], string][] = [
      [['--tmpdir', join(dir, 'nope')], `--tmpdir ${join(dir, 'nope')}: no such directory`],
      [['--tmpdir', file], `--tmpdir ${file} is not a folder`],
      [['--tmpdir', ''], '--tmpdir must name a folder'],
      // Quoted as a shell takes it back: a newline was said as a space (QA).
      [['--tmpdir', `${dir}/a\nb`], `--tmpdir $'${dir}/a\\nb': no such directory`],
      [
        ['--tmpdir', dir, '--host', 'h1'],
        "--tmpdir cannot go with --host: it is a folder of this machine, given to the workers as TMPDIR, and a host's workers keep their own, as parallel's remote jobs do (for this machine's spills, set TMPDIR for manifold itself)",
      ],
    ];
    for (const [args, line] of cases) {
      const result = await fan([...args, '--shell', '--', 'echo started'], 'a\n');
      expect([result.exitCode, result.stdout.toString(), result.stderr]).toEqual([
        2,
        '',
        `manifold: ${line} (see 'manifold fan --help')\n`,
      ]);
    }
    const queue = await fan(['--tmpdir', dir, '--queue', 'nats://127.0.0.1:1'], 'a\n');
    expect([queue.exitCode, queue.stderr]).toEqual([
      2,
      "manifold: --tmpdir is not for --queue: its workers take their blocks on stdin, on their machines, with their own TMPDIR (see 'manifold fan --help')\n",
    ]);
  });

  it('a folder that cannot be written: one line, exit 2 (run as nobody when this is root)', async () => {
    const parent = tempDir('manifold-tmpdir-');
    // Its parent open to all: the folder itself is what cannot be written.
    chmodSync(parent, 0o755);
    const dir = join(parent, 'read-only');
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    const args = ['fan', '--tmpdir', dir, '--shell', '--', 'echo started'];
    const [file, argv] = root
      ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', manifold, ...args]]
      : [manifold, args];
    const result = await run(file as string, argv as string[], 'a\n');
    expect([result.exitCode, result.stdout.toString(), result.stderr.toString()]).toEqual([
      2,
      '',
      `manifold: --tmpdir ${dir} cannot be written: permission denied (EACCES) (see 'manifold fan --help')\n`,
    ]);
  });

  // Root may write anywhere by access(2): /proc passed the check, and the first block failed,
  // exit 1 (QA). The check writes.
  it('a folder no file can be made in, whoever asks (/proc): one line, exit 2', async () => {
    const result = await run(
      manifold,
      ['fan', '--tmpdir', '/proc', '--cat', '--', 'cat', '{}'],
      'a\n',
    );
    expect([result.exitCode, result.stdout.toString()]).toEqual([2, '']);
    expect(result.stderr).toMatch(
      /^manifold: --tmpdir \/proc cannot be written: .*\(see 'manifold fan --help'\)\n$/,
    );
  });

  it('a config says tmpdir, and the library tmpdir', async () => {
    const tmp = privateTmp();
    const dir = tempDir('manifold-tmpdir-config-');
    // Relative to the config's folder, as its other paths.
    const spool = join(dir, 'spool');
    mkdirSync(spool);
    const config = writeConfig(dir, {
      input: fileWith('tmpdir-', 'a\nbb\n'),
      stages: [
        {
          name: 'files',
          fan: {
            cat: true,
            tmpdir: 'spool',
            records: 1,
            workers: 2,
            merge: 'ordered',
            worker: 'echo "$TMPDIR" {}',
          },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config], '', goneTmp);
    expect([fromConfig.exitCode, fromConfig.stderr.toString()]).toEqual([0, '']);
    const lines = fromConfig.stdout.toString().trim().split('\n');
    expect(lines.length).toBe(2);
    for (const line of lines) expect(line.startsWith(`${spool} ${spool}/mf-block-`)).toBe(true);
    expect(readdirSync(spool)).toEqual([]);

    let out = '';
    await fanApi(
      { command: 'echo "$TMPDIR" {}', cat: true, tmpdir: tmp, records: 1, workers: 2 },
      {
        input: Readable.from(['a\nbb\n']),
        output: new Writable({
          write(chunk: Buffer, _encoding, done) {
            out += chunk.toString();
            done();
          },
        }),
      },
    );
    const api = out.trim().split('\n');
    expect(api.length).toBe(2);
    for (const line of api) expect(line.startsWith(`${tmp} ${tmp}/mf-block-`)).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
    const missing = fanApi(
      { command: 'cat', tmpdir: join(tmp, 'nope') },
      { input: Readable.from(['a\n']), output: new Writable({ write: (_c, _e, done) => done() }) },
    );
    await expect(missing).rejects.toThrow(`tmpdir ${join(tmp, 'nope')}: no such directory`);
  });
});
