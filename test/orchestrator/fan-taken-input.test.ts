import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  fstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { C } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { commandOf, descendants, holdsWithin, leftovers, tracked } from '../support/proc.js';
import { finish, watch, within } from '../support/spawn.js';
import { fileTempDir } from '../support/temp.js';

// Input from a pipe, to workers that stay under a ready merge written by the process starter:
// the starter takes the pipe too, and moves it into the workers' pipes by splice, whole records
// to each (parts.ts `TakenInput`, spawner-python-input.ts). Only a shell's pipe is a pipe here:
// Node gives its children sockets, so every case runs under bash, beside MANIFOLD_STARTER=perl
// (manifold reads the pipe itself, as before).

const TAKEN = /input: the process starter reads the pipe itself/;
const PERL = { MANIFOLD_STARTER: 'perl' };

/** `cat file | manifold fan args`, by bash: its stdout, stderr and both exit statuses. */
async function piped(file: string, args: string, env: NodeJS.ProcessEnv = {}) {
  const script = `cat "$FILE" | "$NODE" "$MANIFOLD" fan ${args}; echo "statuses \${PIPESTATUS[*]}" >&2`;
  const result = await run('bash', ['-c', script], '', {
    env: { ...C.env, ...env, FILE: file, NODE: process.execPath, MANIFOLD: manifold },
  });
  const stderr = result.stderr;
  return {
    stdout: result.stdout,
    statuses: /statuses (.*)$/m.exec(stderr)?.[1],
    stderr: stderr.replace(/^statuses .*\n/m, ''),
  };
}

function fileOf(content: string | Buffer): string {
  const file = join(fileTempDir('manifold-fan-taken-'), 'input');
  writeFileSync(file, content);
  return file;
}

/** The records of `data` ended by `delimiter` (the last perhaps without it), sorted. */
function sorted(data: Buffer | string, delimiter = '\n'): string[] {
  const records = data.toString('latin1').split(delimiter);
  if (records.at(-1) === '') records.pop();
  return records.sort();
}

/** Every byte value in records of varied length, ended by `delimiter` (never inside one). */
function binaryRecords(count: number, delimiter: number): Buffer {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 20 + ((i * 37) % 300); j++) {
      const byte = (i * 31 + j * 7) % 256;
      out.push(byte === delimiter ? (byte + 1) % 256 : byte);
    }
    out.push(delimiter);
  }
  return Buffer.from(out);
}

// One at a time: each sends megabytes through two runs and sorts every record here, CPU-bound;
// concurrent with the twelve below they took 4.5-8.7 s in CI, and pinned to one CPU beside a
// busy loop every one timed out (30 s), as did the wait for two cats in the last test (10 s).
describe('input from a pipe, taken by the process starter: every record', () => {
  it.each([
    ['lines', '\n', Buffer.from(numbered(1, 200_000, 'r'.repeat(30)))],
    ['nul', '\0', binaryRecords(30_000, 0)],
    ['lines', '\n', binaryRecords(30_000, 10)],
  ] as const)(
    '--split %s: every record once, byte for byte, as manifold reading the pipe gives them',
    async (split, delimiter, content) => {
      const file = fileOf(content);
      const args = `-j 3 --split ${split} --verbose -- cat`;
      const [taken, read] = await Promise.all([piped(file, args), piped(file, args, PERL)]);
      expect([taken.statuses, read.statuses]).toEqual(['0 0', '0 0']);
      expect(taken.stderr).toMatch(TAKEN);
      expect(read.stderr).not.toMatch(TAKEN);
      expect(taken.stdout.length).toBe(content.length);
      const want = sorted(content, delimiter);
      expect(sorted(taken.stdout, delimiter)).toEqual(want);
      expect(sorted(read.stdout, delimiter)).toEqual(want);
    },
  );

  it('every worker given some of small pieces; a last record without its delimiter kept', async () => {
    const content = `${numbered(1, 100_000, 'x'.repeat(20))}last`;
    const file = fileOf(content);
    // Each worker adds a record naming it: each piece at most 64 KiB, so both have some.
    const awk = `awk '{ print } END { print "worker" ENVIRON["MANIFOLD_WORKER"] }'`;
    const result = await piped(file, `-j 2 --block 64K -- ${awk}`);
    expect(result.statuses).toBe('0 0');
    const records = sorted(result.stdout);
    expect(records.filter((r) => r.startsWith('worker'))).toEqual(['worker1', 'worker2']);
    expect(records.filter((r) => !r.startsWith('worker'))).toEqual(sorted(content));
  });
});

describe.concurrent('input from a pipe, taken by the process starter', () => {
  // The starter read a record it saw no end of and wrote it as it read: the workers were given
  // 2 MiB of it and their input's end, and their output of it reached stdout before the error.
  // Then, holding it, it still ended the workers' input before it told the failure: each
  // answered for the records before it as for the whole input, and, all ended before the
  // failure was told, the run ended well (exit 0, the rest lost) 1 run in 15. Now the failure
  // is told first and the workers are stopped, as when manifold reads the pipe: no answer.
  it('a record over --max-record: exit 1, named by the byte it starts at, no worker answers', async () => {
    const head = numbered(1, 1000, 'y'.repeat(10));
    const content = `${head}${'z'.repeat(3 * 1024 * 1024)}\n${numbered(1, 10, 'w')}`;
    const file = fileOf(content);
    const result = await piped(file, '-j 2 --max-record 2M -- wc -c');
    expect(result.statuses).toBe('0 1');
    expect(result.stdout.toString()).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: stdin: byte ${head.length + 1}: record is larger than the maximum record size 2 MiB \\((2 MiB \\+ )?[\\d.]+ [KM]?i?B so far\\); raise it with --max-record\\n$`,
      ),
    );
  });

  it.each([
    ['', 1024 * 1024],
    ['--block 64K', 64 * 1024],
  ])(
    'a worker that fails (%s): exit 1, the line names the pieces it had been given, none over the size',
    async (flags, size) => {
      const file = fileOf(numbered(1, 200_000, 'v'.repeat(30)));
      const result = await piped(
        file,
        `-j 2 ${flags} -- sh -c 'head -c 3000000 > /dev/null; exit 3'`,
      );
      expect(result.statuses).toMatch(/^(0|141) 1$/);
      expect(result.stderr).toMatch(
        /^manifold: worker [12] \(pid \d+: sh -c .*\) exited with status 3; it had been given (block \d+ \(bytes \d+-\d+\)|\d+ blocks, from block \d+ \(bytes \d+-\d+\) to block \d+ \(bytes \d+-\d+\))\n$/,
      );
      for (const [, from, to] of result.stderr.matchAll(/bytes (\d+)-(\d+)/g)) {
        expect(Number(to) - Number(from) + 1).toBeLessThanOrEqual(size);
        expect(Number(to)).toBeGreaterThanOrEqual(Number(from));
      }
    },
  );

  it('every worker ended before the input (head -n 1): the rest goes unread, exit 0', async () => {
    const file = fileOf('y\n'.repeat(5_000_000));
    const result = await piped(file, '-j 2 --verbose -- head -n 1');
    expect(result.stderr).toMatch(TAKEN);
    expect(result.statuses).toMatch(/^(0|141) 0$/);
    expect(result.stdout.toString()).toBe('y\ny\n');
  });

  it.each([
    ['--merge ordered', '--merge ordered'],
    ['--dispatch round-robin', '--dispatch round-robin'],
    ['--halt never', '--halt never'],
    ['--max-record below two pieces', '--max-record 1M'],
    ['a delimiter of two bytes', "--split 'delim:\\r\\n'"],
    ['--timeout', '--timeout 60'],
  ])('not taken under %s: manifold reads the pipe', async (_, flags) => {
    const content = numbered(1, 1000, 'u');
    const file = fileOf(content);
    const result = await piped(file, `-j 2 ${flags} --verbose -- cat`);
    expect(result.statuses).toBe('0 0');
    expect(result.stderr).not.toMatch(TAKEN);
    expect(result.stdout.toString().length).toBe(content.length);
  });

  it('manifold killed while the starter waits on its input pipe: the starter and workers end', async () => {
    // The pipe's writer (this test) stays, and writes nothing more: the starter's input thread
    // waits in it, the worker given the one piece waits on a pipe the starter holds, and the
    // other, given nothing, was never started (its pipe alone waits, made ahead).
    const [input] = openPipes(1);
    onCleanup(() => closeAll([input!.write]));
    const child = spawn(process.execPath, [manifold, 'fan', '-j', '2', '--verbose', '--', 'cat'], {
      stdio: [input!.read, 'pipe', 'pipe'],
    });
    closeSync(input!.read);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    writeSync(input!.write, 'a\nb\n');
    const below = () => descendants(child.pid!);
    expect(
      await holdsWithin(
        () => stdout.length > 0 && below().filter((pid) => commandOf(pid) === 'cat').length === 1,
        10_000,
      ),
    ).toBe(true);
    expect(stderr).toMatch(TAKEN);
    const procs = tracked(below());
    expect(procs.length).toBeGreaterThanOrEqual(2);
    child.kill('SIGKILL');
    expect((await finish(child, 10_000)).hung).toBe(false);
    expect(await leftovers(procs, 5_000)).toEqual([]);
  });
});

/**
 * Whether a thread of a process below `root` waits in read(2) on the pipe whose inode is `ino`
 * (its /proc syscall line: read is 0 on x86_64, 63 on arm64; its first argument the fd).
 */
function readingPipe(root: number, ino: number): boolean {
  const read = process.arch === 'arm64' ? '63' : '0';
  return descendants(root).some((pid) => {
    try {
      return readdirSync(`/proc/${pid}/task`).some((task) => {
        const [nr, fd] = readFileSync(`/proc/${pid}/task/${task}/syscall`, 'latin1').split(' ');
        if (nr !== read || fd === undefined) return false;
        return readlinkSync(`/proc/${pid}/fd/${Number(fd)}`) === `pipe:[${ino}]`;
      });
    } catch {
      return false; // gone, or not ours to read
    }
  });
}

describe('input from a pipe whose writer is a moment behind', () => {
  it('the pipe holding part of a record: the piece goes on past its end, not a piece of one record', async () => {
    // A piece ends at the last record end the pipe holds; what follows is part of a record.
    // The starter then reads that record to its end (its end was not in sight): that piece was
    // ended there, a piece of the record alone, 7 bytes between 1 MiB ones under seq (block 2:
    // bytes 65537-65543 here). It goes on in the same worker, as any piece, up to the block.
    const [input] = openPipes(1);
    onCleanup(() => closeAll([input!.write]));
    const args = ['fan', '-j', '1', '--block', '1M', '--', 'sh', '-c', 'cat >/dev/null; exit 3'];
    const child = spawn(process.execPath, [manifold, ...args], {
      stdio: [input!.read, 'ignore', 'pipe'],
    });
    closeSync(input!.read);
    const exited = finish(child, 60_000);
    writeSync(input!.write, `${`${'x'.repeat(7)}\n`.repeat(8192)}abc`);
    // The first piece moved (64 KiB), the starter reads the rest of the record: `abc` and on.
    const ino = fstatSync(input!.write).ino;
    expect(await holdsWithin(() => readingPipe(child.pid!, ino), 30_000)).toBe(true);
    writeSync(input!.write, `def\n${`${'y'.repeat(7)}\n`.repeat(8192)}`);
    closeAll([input!.write]);
    const { exitCode: code, stderr } = await exited;
    expect({ code, stderr: stderr.replace(/pid \d+/, 'pid N') }).toEqual({
      code: 1,
      stderr:
        'manifold: worker 1 (pid N: sh -c cat >/dev/null; exit 3) exited with status 3; it had been given 2 blocks, from block 1 (bytes 1-65536) to block 2 (bytes 65537-131079)\n',
    });
  }, 90_000);
});

/** A kernel pipe for manifold's stdin: its writer's end, closed once by `end` or the cleanup. */
function inputPipe() {
  const [pipe] = openPipes(1);
  let open = true;
  const end = () => {
    if (open) closeSync(pipe!.write);
    open = false;
  };
  onCleanup(end);
  return { read: pipe!.read, write: pipe!.write, ino: fstatSync(pipe!.write).ino, end };
}

describe('input from a pipe that pauses', () => {
  it.each([['-j 1'], ['-j 2']])(
    'whole records read past a record end go on while the pipe holds nothing more (%s)',
    async (flags) => {
      // `x` is part of a record: the starter reads it to its end. `\na\nb` ends it, and what it
      // read past that end, `a` whole and part of `b`, was held until the pipe held more, as
      // a `tail -f` that writes nothing for an hour would hold it. It goes at a pause, as
      // manifold cuts what it reads itself. The next write comes only once `a` came out.
      const input = inputPipe();
      const args = ['fan', ...flags.split(' '), '--', 'sed', '-u', 's/^/got /'];
      const child = spawn(process.execPath, [manifold, ...args], {
        stdio: [input.read, 'pipe', 'pipe'],
      });
      closeSync(input.read);
      onCleanup(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const stdout = watch(child.stdout!);
      const stderr = watch(child.stderr!);
      writeSync(input.write, 'x');
      expect(await holdsWithin(() => readingPipe(child.pid!, input.ino), 30_000)).toBe(true);
      writeSync(input.write, '\na\nb');
      await within(
        stdout.waitFor(/^got a$/, 1),
        15_000,
        () => `a was not passed on while the pipe stayed open; stdout: ${stdout.text}`,
      );
      writeSync(input.write, '\n');
      input.end();
      const [code] = await once(child, 'close');
      expect({ code, stdout: stdout.text, stderr: stderr.text }).toEqual({
        code: 0,
        stdout: 'got x\ngot a\ngot b\n',
        stderr: '',
      });
    },
    60_000,
  );
});

describe('a worker that ends while the starter reads on', () => {
  it.each([
    // Its end is the input's: the record goes whole then, as the last record of any input.
    [
      "a record whose end is the input's",
      'y'.repeat(60_000),
      '',
      60_000,
      'block 1 \\(bytes 1-60000\\)',
    ],
    // Whole records, then part of one whose end has not come: the part is held by the starter
    // (given to no worker before its end is read), and the worker that read the whole records
    // and failed was given them, up to their last byte.
    [
      'whole records, then part of one',
      `${`${'x'.repeat(7)}\n`.repeat(4096)}`,
      'abc',
      32_768,
      '(block 1 \\(bytes 1-32768\\)|(\\d+) blocks, from block 1 \\(bytes 1-\\d+\\) to block \\2 \\(bytes \\d+-32768\\))',
    ],
  ])(
    '%s: the line names what it was given, up to its last byte given',
    async (_, whole, part, reads, given) => {
      const input = inputPipe();
      const command = `head -c ${reads} > /dev/null; exit 3`;
      const args = ['fan', '-j', '1', '--', 'sh', '-c', command];
      const child = spawn(process.execPath, [manifold, ...args], {
        stdio: [input.read, 'ignore', 'pipe'],
      });
      closeSync(input.read);
      const exited = finish(child, 60_000);
      writeSync(input.write, whole + part);
      // With no part, the pipe ends; else it stays open, the part's end to come.
      if (part === '') input.end();
      const { exitCode, stderr } = await exited;
      const worker = `worker 1 \\(pid \\d+: sh -c ${command}\\)`;
      expect({ exitCode, stderr }).toEqual({
        exitCode: 1,
        stderr: expect.stringMatching(
          new RegExp(`^manifold: ${worker} exited with status 3; it had been given ${given}\\n$`),
        ),
      });
    },
    90_000,
  );
});
