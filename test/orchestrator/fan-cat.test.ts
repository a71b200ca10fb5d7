import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, root, run } from '../helpers.js';
import { signalWhileFilesHeld } from '../support/block-files.js';
import { fan } from '../support/fan-run.js';
import { encode, framingOf } from '../support/framing.js';
import { killQuietly } from '../support/proc.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --cat: each block is written to a private file in $TMPDIR, and a fresh process is given its
// path for {}, as `parallel --pipe --cat`. Every test gives manifold a TMPDIR of its own and
// looks there afterwards: a block's file is removed however its process ends, and however
// the run does.

/** A TMPDIR of the test's own (inside a folder removed after it), empty. */
function privateTmp(): string {
  const dir = join(tempDir('manifold-cat-'), 'tmp');
  mkdirSync(dir);
  return dir;
}

const withTmp = (tmp: string) => ({ env: { TMPDIR: tmp } });

/** Records of sizes that vary, some bytes of every value, so a block's bytes tell it apart. */
const records = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    Buffer.from(Array.from({ length: 3 + ((i * 7) % 13) }, (_, j) => (i * 31 + j * 17) % 256)),
  );

/** The sizes `wc -c` gives for blocks of `n` of `all`, framed. */
function blockBytes(framing: ReturnType<typeof framingOf>, all: Buffer[], n: number): string {
  const sizes: number[] = [];
  for (let at = 0; at < all.length; at += n)
    sizes.push(encode(framing, all.slice(at, at + n)).length);
  return sizes.map((size) => `${size}\n`).join('');
}

describe.for(['--cat', '--fifo'])(
  '%s: each block given by a name, its bytes exact, removed after',
  (mode) => {
    it.for(['nul', 'delim:XX', 'fixed:16', 'frames'])(
      '--split %s: each file holds exactly its block, binary bytes whole, from a pipe and a file',
      async (name) => {
        const tmp = privateTmp();
        const framing = framingOf(name);
        const all = records(60)
          // Binary records, but none that holds its framing's delimiter.
          .map((r) =>
            framing.kind === 'delim' ? Buffer.from(r.filter((b) => b !== 0 && b !== 88)) : r,
          )
          .map((r) =>
            framing.kind === 'fixed' ? Buffer.concat([r, Buffer.alloc(16)]).subarray(0, 16) : r,
          );
        const input = encode(framing, all);
        const args = ['-j', '2', '--split', name, '-N', '7', mode, '--merge', 'ordered'];
        const [sizes, piped, filed] = await Promise.all([
          fan([...args, '--join', 'lines', '--shell', '--', 'wc -c < {}'], input, withTmp(tmp)),
          fan([...args, '--', 'cat', '{}'], input, withTmp(tmp)),
          fan([...args, '--input', fileWith('cat-', input), '--', 'cat', '{}'], '', withTmp(tmp)),
        ]);
        expect([sizes.exitCode, sizes.stderr, sizes.stdout.toString()]).toEqual([
          0,
          '',
          blockBytes(framing, all, 7),
        ]);
        expect([piped.exitCode, piped.stderr, piped.stdout.equals(input)]).toEqual([0, '', true]);
        expect([filed.exitCode, filed.stderr, filed.stdout.equals(input)]).toEqual([0, '', true]);
        expect(readdirSync(tmp)).toEqual([]);
      },
    );

    it('lines: CRLF kept, a last block without its newline kept so, by size from a file and a pipe', async () => {
      const tmp = privateTmp();
      const input = Buffer.from(
        `${Array.from({ length: 2000 }, (_, i) => `line ${i}\r\n`).join('')}last, no newline`,
      );
      const file = fileWith('cat-', input);
      const args = ['-j', '3', '--block', '4K', mode, '--merge', 'ordered', '--', 'cat', '{}'];
      const [piped, filed] = await Promise.all([
        fan(args, input, withTmp(tmp)),
        fan(['--input', file, ...args], '', withTmp(tmp)),
      ]);
      expect([piped.exitCode, piped.stderr, piped.stdout.equals(input)]).toEqual([0, '', true]);
      expect([filed.exitCode, filed.stderr, filed.stdout.equals(input)]).toEqual([0, '', true]);
      // Each block's file ends at a record's end: blocks of whole CRLF lines, the last one bare.
      const ends = await fan(
        [...args.slice(0, -3), '--shell', '--', 'tail -c 2 {} | od -An -c | tr -d " "'],
        input,
        withTmp(tmp),
      );
      const lines = ends.stdout.toString().trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      expect(lines.slice(0, -1).every((line) => line === '\\r\\n')).toBe(true);
      expect(lines.at(-1)).toBe('ne');
      expect(readdirSync(tmp)).toEqual([]);
    });

    it('the file is 0600 in $TMPDIR, the stdin empty, and a header goes first in every file', async () => {
      const tmp = join(tempDir('manifold-cat-'), 'a dir with blanks');
      mkdirSync(tmp);
      const script = 'cat {}; stat -c %a {}; dirname {}; wc -c | tr -d " "';
      const result = await fan(
        ['--header', '1', '-N', '2', mode, '--merge', 'ordered', '--shell', '--', script],
        'id\n1\n2\n3\n',
        withTmp(tmp),
      );
      expect([result.exitCode, result.stderr]).toEqual([0, '']);
      // The header once at the top (its copies taken off), then per block: mode, folder, stdin.
      expect(result.stdout.toString()).toBe(`id\n1\n2\n600\n${tmp}\n0\n3\n600\n${tmp}\n0\n`);
      expect(readdirSync(tmp)).toEqual([]);
    });

    it('a retry gets the same bytes in a fresh file; every file is removed, failed or not', async () => {
      const tmp = privateTmp();
      const log = join(tempDir('manifold-cat-log-'), 'tries');
      const result = await fan(
        [
          '-N',
          '2',
          mode,
          '--retries',
          '2',
          '--shell',
          '--',
          `cat {} >> ${log}; echo {} >> ${log}.names; exit 3`,
        ],
        'a\nb\n',
        withTmp(tmp),
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/exited with status 3 on block 1/);
      expect(readFileSync(log, 'utf8')).toBe('a\nb\na\nb\na\nb\n');
      expect(new Set(readFileSync(`${log}.names`, 'utf8').trim().split('\n')).size).toBe(3);
      expect(readdirSync(tmp)).toEqual([]);
    });

    it('files are removed after a timeout, a halt, and a worker killed by a signal', async () => {
      const tmp = privateTmp();
      const input = 'a\nb\nc\nd\ne\nf\n';
      const runs = await Promise.all([
        fan(
          ['-j', '2', '-N', '1', mode, '--timeout', '1s', '--shell', '--', 'exec sleep 1000 # {}'],
          input,
          {
            ...withTmp(tmp),
            timeout: 30_000,
          },
        ),
        // Block 1 fails at once while the others hang: --halt now stops them.
        fan(
          [
            '-j',
            '3',
            '-N',
            '1',
            mode,
            '--shell',
            '--',
            '[ $MANIFOLD_BLOCK = 1 ] && exit 4; exec sleep 1000 # {}',
          ],
          input,
          { ...withTmp(tmp), timeout: 30_000 },
        ),
        fan(['-j', '2', '-N', '1', mode, '--shell', '--', 'kill -9 $$ # {}'], input, withTmp(tmp)),
      ]);
      expect(runs.map((r) => r.exitCode)).toEqual([1, 1, 1]);
      // Named by the command as given: its block's file is gone.
      expect(runs[0]!.stderr).toMatch(
        /^manifold: worker [12] \(pid \d+: exec sleep 1000 # \{\}\) timed out after 1s on block [12] /,
      );
      expect(runs[1]!.stderr).toMatch(/exited with status 4 on block 1/);
      expect(runs[2]!.stderr).toMatch(/was killed by SIGKILL on block/);
      expect(readdirSync(tmp)).toEqual([]);
    });

    it.for(['SIGINT', 'SIGTERM'] as const)(
      '%s to manifold while workers hold their files: every file is removed',
      async (signal) => {
        const tmp = privateTmp();
        await signalWhileFilesHeld(mode, [], { ...process.env, TMPDIR: tmp }, tmp, signal);
      },
    );
  },
);

describe('--cat: each block a file its process is given the name of', () => {
  // Block 2, one record of 5 MB, had its command started once its file was written: by then
  // slot 1 had ended and given the shared process starter back, and the block's ordered relay
  // went to a second starter, which waited for ever for block 1, the first one's (QA).
  it('--merge ordered, a record larger than a block: every block, in order, no hang', async () => {
    const input = `s\n${'x'.repeat(5_000_000)}\n`;
    const file = fileWith('manifold-cat-big-', input);
    for (let round = 0; round < 3; round++) {
      const result = await run(
        manifold,
        ['fan', '-j', '4', '--cat', '--merge', 'ordered', '--', 'cat'],
        '',
        {
          inputFile: file,
          timeout: 20_000,
        },
      );
      expect({ round, exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        round,
        exitCode: 0,
        stderr: '',
      });
      expect(result.stdout.toString() === input).toBe(true);
    }
  }, 90_000);

  it('--verbose says the workers are per-block, each given its block by name', async () => {
    const tmp = privateTmp();
    const [cat, fifo] = await Promise.all(
      ['--cat', '--fifo'].map((mode) =>
        fan(['--verbose', mode, '--', 'cat', '{}'], 'a\n', withTmp(tmp)),
      ),
    );
    expect(cat.stderr).toContain(
      'manifold: --cat: a fresh worker per block (--per-block), given its block as a file in $TMPDIR, its path for {}\n',
    );
    expect(fifo.stderr).toContain(
      'manifold: --fifo: a fresh worker per block (--per-block), given its block as a named pipe in $TMPDIR, its path for {}\n',
    );
  });

  it('{} within a word, several times; with no {} the path is the last word (as parallel)', async () => {
    const tmp = privateTmp();
    const [within, appended] = await Promise.all([
      fan(['--cat', '--', 'echo', 'x{}y', '{}'], 'a\n', withTmp(tmp)),
      fan(['--cat', '--', 'echo', 'path:'], 'a\n', withTmp(tmp)),
    ]);
    const [word, path] = within.stdout.toString().trim().split(' ');
    expect(word).toBe(`x${path}y`);
    expect(path).toMatch(new RegExp(`^${tmp}/mf-block-[0-9a-f]{12}$`));
    expect(appended.stdout.toString()).toMatch(
      new RegExp(`^path: ${tmp}/mf-block-[0-9a-f]{12}\n$`),
    );
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a $TMPDIR that is not there fails the block in one line, exit 1', async () => {
    const tmp = join(tempDir('manifold-cat-'), 'gone');
    const result = await fan(['--cat', '--', 'cat', '{}'], 'a\n', withTmp(tmp));
    expect([result.exitCode, result.stdout.toString()]).toEqual([1, '']);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: worker 1 \\(cat \\{\\}\\) cannot write its block's file ${tmp}/mf-block-[0-9a-f]{12}: no such file or directory \\(ENOENT\\) on block 1 \\(records 1-1\\)\n$`,
      ),
    );
  });

  it('a config says cat: true, and the library cat: true', async () => {
    const tmp = privateTmp();
    const dir = tempDir('manifold-cat-config-');
    const config = writeConfig(dir, {
      input: fileWith('cat-', 'a\nbb\nccc\n'),
      stages: [
        { name: 'count', fan: { cat: true, records: 2, merge: 'ordered', worker: 'wc -c' } },
      ],
    });
    const fromConfig = await run(manifold, ['run', config], '', withTmp(tmp));
    expect([fromConfig.exitCode, fromConfig.stderr]).toEqual([0, '']);
    expect(fromConfig.stdout.toString().replace(/ \S+/g, '')).toBe('5\n4\n');

    let out = '';
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    // The library's files go in its own process's $TMPDIR.
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      await fanApi(
        { command: ['wc', '-c', '{}'], cat: true, records: 1, merge: 'ordered', workers: 2 },
        { input: Readable.from(['a\nbb\n']), output },
      );
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(out.replace(/ \S+/g, '')).toBe('2\n3\n');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("a library caller's process that exits mid-run leaves no file behind", async () => {
    const tmp = privateTmp();
    const script = join(tempDir('manifold-cat-lib-'), 'exits.mjs');
    writeFileSync(
      script,
      `import { Readable, Writable } from 'node:stream';
import { fan } from ${JSON.stringify(join(root, 'dist/bundle/index.js'))};
const output = new Writable({ write: (_chunk, _encoding, done) => done() });
const command = 'echo held $$ >&2; exec sleep 1000 # {}';
fan({ command, cat: true, records: 1, workers: 2, stderr: 'inherit' }, { input: Readable.from(['a\\nb\\nc\\n']), output });
// Told to, it exits while its workers hold their files.
process.stdin.once('data', () => process.exit(0));
`,
    );
    const child = spawn('node', [script], {
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.split('held').length - 1 === 2) resolve();
      });
    });
    expect(readdirSync(tmp).length).toBe(2);
    child.stdin.write('exit\n');
    // Its exit, not its streams' close: the workers it leaves hold its stderr.
    const [code] = await once(child, 'exit');
    const workers = [...stderr.matchAll(/held (\d+)/g)].map((m) => Number(m[1]));
    for (const pid of workers) killQuietly(pid);
    expect([code, readdirSync(tmp)]).toEqual([0, []]);
  });

  it('is refused in one line, exit 2, with workers that stay, threads, hosts and a queue', async () => {
    const cases = [
      [
        ['--one-to-one'],
        '--cat gives each block to a fresh process as a file: it cannot go with --one-to-one, whose workers stay',
      ],
      [
        ['--protocol', 'manifold'],
        '--cat gives each block to a fresh process as a file: it cannot go with --protocol, whose workers stay',
      ],
      [
        ['--threads'],
        '--cat gives each block to a fresh process as a file: it cannot go with --threads, which are given blocks in memory',
      ],
      [
        ['--host', 'h1'],
        "--cat cannot go with --host: a block's file is on this machine, not on the hosts",
      ],
    ] as const;
    const results = await Promise.all(
      cases.map(([extra]) => fan(['--cat', ...extra, '--', 'cat', '{}'], 'a\n')),
    );
    for (const [i, [, message]] of cases.entries()) {
      expect([results[i]!.exitCode, results[i]!.stderr]).toEqual([
        2,
        `manifold: ${message} (see 'manifold fan --help')\n`,
      ]);
    }
    const queued = await fan(['--queue', 'nats://127.0.0.1:1', '--cat'], 'a\n');
    expect([queued.exitCode, queued.stderr]).toEqual([
      2,
      "manifold: --cat is not for --queue: its workers take each block on stdin, on their machines (see 'manifold fan --help')\n",
    ]);
    const dir = tempDir('manifold-cat-config-');
    const input = fileWith('cat-', 'a\n');
    const configs = [
      [
        { queue: 'nats://127.0.0.1:4222', cat: true },
        undefined,
        'cat is not for queue: its workers take each block on stdin, on their machines',
      ],
      [
        { cat: true, worker: 'cat' },
        ['h1'],
        "cat cannot go with hosts: a block's file is on this machine, not on the hosts",
      ],
    ] as const;
    for (const [i, [stage, hosts, message]] of configs.entries()) {
      const config = writeConfig(
        dir,
        { input, ...(hosts && { hosts }), stages: [{ name: 's', fan: stage }] },
        `c${i}.yaml`,
      );
      const refused = await run(manifold, ['run', config]);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr.startsWith(config)).toBe(true);
      expect(refused.stderr.endsWith(`: ${message}\n`)).toBe(true);
      expect(refused.stderr.split('\n').length).toBe(2);
    }
    await expect(
      fanApi(
        { command: ['cat'], cat: true, oneToOne: true },
        { input: Readable.from([]), output: new Writable({ write: (_c, _e, done) => done() }) },
      ),
    ).rejects.toThrow(
      'cat gives each block to a fresh process as a file: it cannot go with oneToOne, whose workers stay',
    );
  });
});

describe('--fifo: each block a named pipe its process reads', () => {
  it('a process that never opens its pipe ends as its exit says: nothing waits for a reader', async () => {
    const tmp = privateTmp();
    // Blocks far larger than a pipe holds: a writer that waited for a reader would hang here.
    const input = Buffer.alloc(3 << 20, 'abcdefghijklmno\n');
    const [untouched, failing] = await Promise.all([
      fan(['-j', '2', '--block', '1M', '--fifo', '--', 'true'], input, withTmp(tmp)),
      fan(['-j', '2', '--block', '1M', '--fifo', '--', 'false'], input, withTmp(tmp)),
    ]);
    expect([untouched.exitCode, untouched.stderr, untouched.stdout.length]).toEqual([0, '', 0]);
    expect(failing.exitCode).toBe(1);
    expect(failing.stderr).toMatch(/exited with status 1 on block/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a reader that stops early (head -c) ends its block well; a big block from a file goes whole', async () => {
    const tmp = privateTmp();
    const input = Buffer.alloc(3 << 20, 'abcdefghijklmno\n');
    const file = fileWith('fifo-', input);
    const [early, whole] = await Promise.all([
      fan(
        ['--block', '1M', '--fifo', '--merge', 'ordered', '--shell', '--', 'head -c 4 {}; echo'],
        input,
        withTmp(tmp),
      ),
      fan(
        [
          '-j',
          '2',
          '--input',
          file,
          '--block',
          '1M',
          '--fifo',
          '--merge',
          'ordered',
          '--',
          'cat',
          '{}',
        ],
        '',
        withTmp(tmp),
      ),
    ]);
    expect([early.exitCode, early.stderr, early.stdout.toString()]).toEqual([
      0,
      '',
      'abcd\n'.repeat(3),
    ]);
    expect([whole.exitCode, whole.stderr, whole.stdout.equals(input)]).toEqual([0, '', true]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('is refused with --cat, with workers that stay, hosts and a queue; a pipe that cannot be made fails its block', async () => {
    const [both, staying, hosts, queued] = await Promise.all([
      fan(['--cat', '--fifo', '--', 'cat', '{}'], 'a\n'),
      fan(['--fifo', '--one-to-one', '--', 'cat', '{}'], 'a\n'),
      fan(['--fifo', '--host', 'h1', '--', 'cat', '{}'], 'a\n'),
      fan(['--queue', 'nats://127.0.0.1:1', '--fifo'], 'a\n'),
    ]);
    const help = " (see 'manifold fan --help')\n";
    expect([both.exitCode, both.stderr]).toEqual([
      2,
      `manifold: choose one of --cat and --fifo: each gives a block by its name its own way${help}`,
    ]);
    expect([staying.exitCode, staying.stderr]).toEqual([
      2,
      `manifold: --fifo gives each block to a fresh process as a named pipe: it cannot go with --one-to-one, whose workers stay${help}`,
    ]);
    expect([hosts.exitCode, hosts.stderr]).toEqual([
      2,
      `manifold: --fifo cannot go with --host: a block's file is on this machine, not on the hosts${help}`,
    ]);
    expect([queued.exitCode, queued.stderr]).toEqual([
      2,
      `manifold: --fifo is not for --queue: its workers take each block on stdin, on their machines${help}`,
    ]);
    const gone = join(tempDir('manifold-cat-'), 'gone');
    const failed = await fan(['--fifo', '--', 'cat', '{}'], 'a\n', withTmp(gone));
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(
        `^manifold: worker 1 \\(cat \\{\\}\\) cannot make its block's named pipe ${gone}/mf-block-[0-9a-f]{12}: mkfifo: .*No such file or directory on block 1 \\(records 1-1\\)\n$`,
      ),
    );
  });

  it('a config says fifo: true', async () => {
    const tmp = privateTmp();
    const dir = tempDir('manifold-cat-config-');
    const config = writeConfig(dir, {
      input: fileWith('fifo-', 'a\nbb\nccc\n'),
      stages: [
        { name: 'count', fan: { fifo: true, records: 2, merge: 'ordered', worker: 'wc -c' } },
      ],
    });
    const result = await run(manifold, ['run', config], '', withTmp(tmp));
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(result.stdout.toString().replace(/ \S+/g, '')).toBe('5\n4\n');
    expect(readdirSync(tmp)).toEqual([]);
  });
});
