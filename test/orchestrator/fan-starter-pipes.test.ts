import { type ChildProcessByStdio, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fanBootPlan, startersAhead } from '../../orchestrator/cli/boot-plan.js';
import { SPAWNER_PYTHON } from '../../orchestrator/workers/process/spawner-python.js';
import { fixture, manifold, run } from '../helpers.js';
import { records } from '../support/lines.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  leftovers,
  pidDir,
  pidsIn,
  tracked,
} from '../support/proc.js';
import { finish } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// `manifold fan` starts its process starter while its own modules load (cli/boot-plan.ts); the
// Python starter serves every slot at once, and workers that stay are started by it too, on
// kernel pipes of 1 MiB that manifold reads a pipeful at a time (workers/process/reads.ts).

/** Each worker's line: its parent's name and pid, and what its stdin and stdout are. */
const WHO =
  'echo "$(cat /proc/$PPID/comm) $PPID $(readlink /proc/$$/fd/0 | cut -d: -f1) $(readlink /proc/$$/fd/1 | cut -d: -f1)"; cat > /dev/null';

async function whoRuns(env: NodeJS.ProcessEnv): Promise<string[][]> {
  const result = await run(
    process.execPath,
    // A block each, or they would not all start.
    [manifold, 'fan', '-j', '3', '--dispatch', 'round-robin', '-N', '1', '--shell', '--', WHO],
    'a\nb\nc\n',
    {
      env,
      timeout: 15_000,
    },
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
}

describe('workers that stay, started by the process starter', () => {
  it('are the children of one shared Python starter, on pipes; of a Perl one each; or of node, on sockets', async () => {
    const python = await whoRuns({});
    expect(python.map(([comm, , stdin, stdout]) => [comm, stdin, stdout])).toEqual(
      Array(3).fill(['python3', 'pipe', 'pipe']),
    );
    expect(new Set(python.map(([, ppid]) => ppid)).size).toBe(1);
    const perl = await whoRuns({ MANIFOLD_STARTER: 'perl' });
    expect(perl.map(([comm, , stdin, stdout]) => [comm, stdin, stdout])).toEqual(
      Array(3).fill(['perl', 'pipe', 'pipe']),
    );
    expect(new Set(perl.map(([, ppid]) => ppid)).size).toBe(3);
    const node = await whoRuns({ MANIFOLD_STARTER: 'spawn' });
    expect(node.map(([comm, , stdin, stdout]) => [comm, stdin, stdout])).toEqual(
      Array(3).fill(['node', 'socket', 'socket']),
    );
  });

  it('give the input back byte for byte while manifold holds their output for the order', async () => {
    // 8 MiB: reads of a pipeful are lent to the output and held there while an earlier block
    // is not out yet; the buffers must come back only once written.
    const input = records(1, 120_000);
    for (const args of [
      ['-j', '2', '--block', '1M', '--merge', 'ordered', '--', 'cat'],
      ['-j', '2', '--block', '256K', '--merge', 'ordered', '--one-to-one', '--', 'cat'],
      ['-j', '3', '--block', '64K', '--', 'cat'],
    ]) {
      const result = await run(process.execPath, [manifold, 'fan', ...args], input, {
        timeout: 30_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const out = result.stdout.toString();
      if (args.includes('ordered')) expect(out === input, args.join(' ')).toBe(true);
      else expect(out.split('\n').sort().join('\n')).toBe(input.split('\n').sort().join('\n'));
    }
  });

  it('manifold killed by SIGKILL mid-run: its starter and workers end, nothing left', async () => {
    const pids = pidDir();
    // Both workers are running and wait on their stdin for more; at its end they exit.
    const child = spawn(
      process.execPath,
      [manifold, 'fan', '-j', '2', '--block', '1K', '--', fixture('fail-on'), 'never', '3'],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, MF_PIDS: pids } },
    );
    child.stdin.write(records(1, 128));
    expect(await holdsWithin(() => pidsIn(pids).length === 2, 10_000)).toBe(true);
    const below = descendants(child.pid!);
    expect(
      below.filter((pid) => commandOf(pid).startsWith('/usr/bin/python3 -I -S -c')),
    ).toHaveLength(1);
    const procs = tracked(below);
    child.kill('SIGKILL');
    expect((await finish(child, 10_000)).hung).toBe(false);
    expect(await leftovers(procs, 5_000)).toEqual([]);
  });
});

describe("manifold's own input from a pipe", () => {
  it('is sized to 1 MiB by the starter (64 KiB as the kernel made it, with Node spawn)', async () => {
    const dir = tempDir('manifold-starter-pipes-');
    // The writer's end of a named pipe manifold reads: its size once manifold reads it (256 KiB
    // written, more than the kernel's 64 KiB pipe holds), polled for up to 2 s (the starter
    // sizes it as manifold begins to read; with Node's spawn nothing does, and it stays).
    const script = `mkfifo "$D/in"
"$NODE" "$MANIFOLD" fan -j 1 -- cat < "$D/in" > /dev/null &
exec 3> "$D/in"
head -c 262144 /dev/zero >&3
/usr/bin/python3 -c '
import fcntl, time
for _ in range(200):
    if fcntl.fcntl(3, 1032) == 1048576:
        break
    time.sleep(0.01)
print(fcntl.fcntl(3, 1032))'
exec 3>&-
wait`;
    const sizeWith = async (env: NodeJS.ProcessEnv) => {
      const result = await run('sh', ['-c', script], '', {
        env: { ...env, D: dir, NODE: process.execPath, MANIFOLD: manifold },
        timeout: 20_000,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      rmSync(join(dir, 'in'));
      return result.stdout.toString().trim();
    };
    expect(await sizeWith({})).toBe('1048576');
    expect(await sizeWith({ MANIFOLD_STARTER: 'spawn' })).toBe('65536');
  });
});

/**
 * Talks to a starter run by hand: its replies, the first `n` lines once there (`lines`), a
 * command started (`start`), and the pipe ends of the commands its `P` lines tell, opened
 * through /proc (`ends`).
 */
function talkTo(starter: ChildProcessByStdio<Writable, Readable, null>) {
  let replies = '';
  starter.stdout.on('data', (data) => {
    replies += data;
  });
  return {
    async lines(n: number) {
      expect(await holdsWithin(() => replies.split('\n').length > n, 10_000)).toBe(true);
      return replies.split('\n').slice(0, n);
    },
    start(id: number, argv: string[]) {
      starter.stdin.write(
        ['s', String(id), '', '', String(argv.length), ...argv, '0', '0', ''].join('\0'),
      );
    },
    ends(told: string[]) {
      return told.map((line) => {
        const [, , , input, output] = line.split(' ');
        return {
          input: openSync(`/proc/${starter.pid}/fd/${input}`, 'w'),
          output: openSync(`/proc/${starter.pid}/fd/${output}`, 'r'),
        };
      });
    },
  };
}

describe('the Python starter', () => {
  /** The starter's script, on a Python without posix_spawn (before 3.8): it forks instead. */
  function forkingStarter() {
    const script = `import os\ndel os.posix_spawn\nexec(compile(${JSON.stringify(SPAWNER_PYTHON)}, 'starter', 'exec'))`;
    return spawn('/usr/bin/python3', ['-I', '-S', '-c', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
  }

  it('runs commands side by side, each told in order (P, S, X), and forks where it must', async () => {
    const starter = forkingStarter();
    const { lines, start: request, ends: openEnds } = talkTo(starter);
    // Two commands that each end only when told: neither waits for the other.
    request(1, ['/bin/sh', '-c', 'read x; echo "one $x"']);
    request(2, ['sh', '-c', 'read x; echo "two $x"']);
    request(3, ['/no/such/command']);
    const [p1, p2, f3] = await lines(3);
    expect(p1).toMatch(/^P 1 \d+ \d+ \d+ -$/);
    expect(p2).toMatch(/^P 2 \d+ \d+ \d+ -$/);
    expect(f3).toBe('F 3 2');
    const ends = openEnds([p1!, p2!]);
    starter.stdin.write('c\x001\x00c\x002\x00');
    writeSync(ends[1]!.input, 'b\n');
    writeSync(ends[0]!.input, 'a\n');
    // Each command's start is told before its end; the two commands' lines may interleave (a
    // command may end before the starter has read the other's c).
    const told = (await lines(7)).slice(3);
    expect([...told].sort()).toEqual(['S 1', 'S 2', 'X 1 0 -', 'X 2 0 -']);
    for (const id of [1, 2]) {
      expect(told.indexOf(`S ${id}`)).toBeLessThan(told.indexOf(`X ${id} 0 -`));
    }
    expect(readFileSync(ends[0]!.output, 'utf8')).toBe('one a\n');
    expect(readFileSync(ends[1]!.output, 'utf8')).toBe('two b\n');
    starter.stdin.end();
    expect((await finish(starter, 10_000)).exitCode).toBe(0);
  });
});

describe('the Python starter feeding a command from a file (f)', () => {
  it('sends ranges in the order asked, tells each sent, a short one, and a pipe nobody reads', async () => {
    const starter = spawn('/usr/bin/python3', ['-I', '-S', '-c', SPAWNER_PYTHON], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const { lines, start, ends: openEnds } = talkTo(starter);
    const file = join(tempDir('manifold-starter-feed-'), 'input');
    writeFileSync(file, '0123456789abcdefghij');
    const fileFd = openSync(file, 'r');
    const feed = (id: number, pipe: number, at: number, length: number) =>
      starter.stdin.write(
        `f\0${id}\0/proc/${process.pid}/fd/${pipe}\0/proc/${process.pid}/fd/${fileFd}\0${at}\0${length}\0`,
      );
    start(1, ['cat']);
    start(2, ['true']);
    const [p1, p2] = await lines(2);
    const ends = openEnds([p1!, p2!]);
    starter.stdin.write('c\x001\x00c\x002\x00');
    // Command 2 has ended: its pipe has no reader (ENXIO at the open, or EPIPE).
    expect((await lines(5)).slice(2).sort()).toEqual(['S 1', 'S 2', 'X 2 0 -']);
    feed(10, ends[0]!.input, 10, 5);
    feed(11, ends[0]!.input, 0, 3);
    feed(12, ends[0]!.input, 18, 10);
    feed(13, ends[1]!.input, 0, 4);
    const told = (await lines(9)).slice(5);
    // One pipe's feeds in turn, each whole but the last (the file ends first: errno 0).
    expect(told.filter((line) => /^D 1[012] /.test(line))).toEqual([
      'D 10 5 0',
      'D 11 3 0',
      'D 12 2 0',
    ]);
    expect(told.find((line) => line.startsWith('D 13'))).toMatch(/^D 13 0 (6|32)$/);
    closeSync(ends[0]!.input);
    closeSync(ends[1]!.input);
    expect(readFileSync(ends[0]!.output, 'utf8')).toBe('abcde012ij');
    starter.stdin.end();
    expect((await finish(starter, 10_000)).exitCode).toBe(0);
  });
});

describe("the Python starter writing a command's output itself (r)", () => {
  it('stays when told to drop output (SIGUSR1) while telling manifold its output failed', async () => {
    // The reply that says manifold's stdout failed (W) is written with the starter's own output
    // failed; SIGUSR1 then must not end the starter. Its replies go into a fifo the test fills,
    // so that the W waits, blocked, for the signal to come.
    const dir = tempDir('manifold-starter-relay-');
    const [repliesPath, outputPath] = [join(dir, 'replies'), join(dir, 'output')];
    execFileSync('mkfifo', [repliesPath, outputPath]);
    const { O_RDONLY, O_WRONLY, O_NONBLOCK } = constants;
    const replies = openSync(repliesPath, O_RDONLY | O_NONBLOCK);
    const output = openSync(outputPath, O_RDONLY | O_NONBLOCK);
    const [repliesEnd, outputEnd] = [
      openSync(repliesPath, O_WRONLY),
      openSync(outputPath, O_WRONLY),
    ];
    const starter = spawn('/usr/bin/python3', ['-I', '-S', '-c', SPAWNER_PYTHON], {
      stdio: ['pipe', repliesEnd, 'inherit', outputEnd],
    });
    closeSync(repliesEnd);
    closeSync(outputEnd);
    let told = '';
    const drain = () => {
      const buffer = Buffer.alloc(1 << 16);
      for (;;) {
        try {
          const n = readSync(replies, buffer);
          if (n === 0) return;
          told += buffer.toString('latin1', 0, n);
        } catch {
          return;
        }
      }
    };
    // What the starter is blocked in: a write's number and its descriptor (x86-64 or arm64).
    const blockedWriting = (fd: number) => () => {
      const [call, first] = readFileSync(`/proc/${starter.pid}/syscall`, 'utf8').split(' ');
      return (call === '1' || call === '64') && first === `0x${fd}`;
    };
    const toldUntil = async (line: RegExp) =>
      holdsWithin(() => {
        drain();
        return line.test(told);
      }, 10_000);
    starter.stdin!.write(
      ['r', '1', '0a', '1048576', '0', '-', '0', '', '', '1', 'yes', '0', '0', ''].join('\0'),
    );
    expect(await toldUntil(/^P 1 \d+ \d+ - -\n/)).toBe(true);
    // The relayed output fills its fifo (the starter may not read the c until it is read), the
    // test's own writes fill the replies' fifo.
    starter.stdin!.write('c\x001\x00');
    expect(await holdsWithin(blockedWriting(3), 10_000)).toBe(true);
    const filler = openSync(repliesPath, O_WRONLY | O_NONBLOCK);
    const junk = Buffer.alloc(4096, '\n');
    for (;;) {
      try {
        writeSync(filler, junk);
      } catch {
        break;
      }
    }
    closeSync(output);
    expect(await holdsWithin(blockedWriting(1), 10_000)).toBe(true);
    starter.kill('SIGUSR1');
    closeSync(filler);
    expect(await toldUntil(/\nW - 32\n/)).toBe(true);
    starter.stdin!.end();
    const { exitCode } = await finish(starter, 10_000);
    closeSync(replies);
    rmSync(dir, { recursive: true, force: true });
    expect(exitCode).toBe(0);
  });
});

describe('what manifold fan starts ahead', () => {
  it('a starter per worker, at most 8, where workers are processes it can start', () => {
    expect(startersAhead(3)).toBe(3);
    expect(startersAhead(100)).toBe(8);
  });

  const traced = spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;
  // A usage error and a command not found start no starter (a Python process, ~35 ms of a core).
  it.skipIf(!traced).for([
    [['--bogus', '--', 'cat'], 2, 0],
    [['-j', '2', '--', 'no-such-command-here'], 127, 0],
    [['-j', '2', '--', 'cat'], 0, 1],
  ] as const)(
    'fan %j: exit %i, %i Python starters started',
    async ([args, status, starters], { expect }) => {
      const log = join(tempDir('manifold-starters-ahead-'), 'strace');
      const trace = ['-f', '-qq', '-e', 'trace=execve', '-o', log];
      const result = await run(
        'strace',
        [...trace, process.execPath, manifold, 'fan', ...args],
        'a\n',
      );
      expect(result.exitCode).toBe(status);
      const execs = readFileSync(log, 'latin1').split('\n');
      expect(execs.filter((line) => line.includes('execve("/usr/bin/python3"')).length).toBe(
        starters,
      );
    },
  );

  it('threads, one per worker of a fan --threads, where a booted thread can be used', () => {
    const plan = (...argv: string[]) => fanBootPlan(['fan', ...argv, '--', 'cat']);
    expect(plan('-j', '2', '--threads')).toEqual({ threads: 2 });
    expect(plan('-j', '3')).toEqual({ threads: 0 });
    expect(plan('-j', '2', '--merge', 'sorted')).toEqual({ threads: 0 });
    expect(plan('-j', '2', '--threads', '--host', 'h')).toEqual({ threads: 0 });
    expect(plan('--threads', '--help')).toEqual({ threads: 0 });
    expect(fanBootPlan(['run', 'job.yaml'])).toEqual({ threads: 0 });
  });
});
