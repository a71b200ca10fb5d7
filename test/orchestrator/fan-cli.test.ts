import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold, run } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { oneLine } from '../support/lines.js';
import { holdsWithin, statusKiB, waitsIn, writingIntoFullPipe } from '../support/proc.js';
import { tempDir } from '../support/temp.js';
import { fanSaidHere } from '../support/usage.js';

// The command line of `manifold fan` (and of run, check and graph where the same holds): what a
// value is, what is checked before any input is read, and what a file for --input may be.

const folder = () => tempDir('manifold-fan-cli-');

/**
 * What `manifold fan args` says of a command line it refuses before any file is looked at,
 * found in this process by the functions the executable calls (support/usage.ts; compared with
 * the process in cli-bad-input-property); exit 0 and nothing said where it would run.
 */
const refusedHere = (args: string[]) =>
  fanSaidHere(args) ?? { exitCode: 0, stdout: '', stderr: '' };
const config = (dir: string) => {
  const file = join(dir, 'p.yaml');
  writeFileSync(file, 'stages:\n  - run: [cat]\n');
  return file;
};

describe('a host name that starts with - is refused, not given to ssh as an option', () => {
  // `--host -1` met "SSH protocol v.1 is no longer supported" from ssh, exit 1, after a line
  // saying the host was dropped; `-oProxyCommand=prog` was an ssh option too.
  it.each(['-1', '-oProxyCommand=nothing-here', 'alice@-x:2222'])('--host %s', async (host) => {
    const result = refusedHere(['--host', host, '--', 'cat']);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --host: '${host}' is not [user@]host[:port][/slots]: a host name never starts with '-' (see 'manifold fan --help')\n`,
    });
  });

  it("a config's hosts, at the entry", async () => {
    const dir = folder();
    const file = join(dir, 'p.yaml');
    writeFileSync(file, 'stages:\n  - fan: {worker: cat, hosts: [h1, "-1"]}\n');
    const result = await run(manifold, ['check', file], '');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `${file}:2:36: hosts: '-1' is not [user@]host[:port][/slots]: a host name never starts with '-'\n`,
    });
  });
});

describe('a host name with a character ssh refuses is refused before the run', () => {
  // ssh said `hostname contains invalid characters` once the run had started: the host was
  // dropped, `no host is left`, two lines and exit 1, for what is a usage error.
  it.each([
    ["it's", "'"],
    ['a;b', ';'],
    ['alice@a$b:2222/2', '$'],
    ['h{1,2}', '{'],
  ])('--host %s', async (host, char) => {
    const args = ['fan', '--host-timeout', '2s', '--host', host, '--', 'cat'];
    const result = refusedHere(args.slice(1));
    const quoted = `'${host.replace(/'/g, "'\\''")}'`;
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --host: ${quoted} is not [user@]host[:port][/slots]: a host name has no ${char} in it (see 'manifold fan --help')\n`,
    });
  });
});

// An escape sequence, \x01 or DEL in a host name was taken, and written to the terminal as it
// was in the line that dropped the host (QA); ssh refuses control characters as these.
describe('--host with a control character in its name', () => {
  it.each([
    ['h\x1b[7mX', "$'h\\x1b[7mX'"],
    ['h\x01x', "$'h\\x01x'"],
    ['h\x7fx', "$'h\\x7fx'"],
  ])('%j: one line, exit 2, the name as bash takes it back', async (host, quoted) => {
    const result = refusedHere(['--host', host, '--', 'cat']);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --host: ${quoted} is not [user@]host[:port][/slots]: a host name has no control character in it (see 'manifold fan --help')\n`,
    });
  });
});

describe('a host name is given to ssh as written, but for an address in brackets', () => {
  // Only `[addr]` loses its brackets: a lone one was stripped too, `x]` and `[zz` reaching ssh
  // as `x` and `zz` (another host), `[]` as an empty name. ssh says the name it was given when
  // it cannot resolve it; /etc/hosts or an ssh_config alias may hold any of these, so none is
  // refused. (DNS-invalid names, `a..b`, `h_1`, a label of 70 characters, `h.`, reach ssh as
  // written too, and resolve through /etc/hosts: checked by hand, a mount namespace's.)
  it.each([
    ['x]', 'x]'],
    ['[zz', '[zz'],
    ['alice@[]:2222', '[]'],
    ['[zz]', 'zz'],
  ])('--host %s reaches ssh as %s', async (host, given) => {
    const args = ['fan', '--host-timeout', '10s', '--host', host, '--', 'cat'];
    const result = await run(manifold, args, 'a\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`ssh: Could not resolve hostname ${given}: `);
  });
});

describe('a host that is a number is refused: the resolver reads it as an IPv4 address', () => {
  // `--host 0x10` went to ssh, which read it as 0.0.0.16 and waited there for --host-timeout
  // (30s by default), exit 1; a config's `queue: 3` (YAML's 3, kept as the text "3") was
  // nats://3:4222, the address 0.0.0.3.
  const cases: [string, string, string][] = [
    ['0x10', '0x10', '0.0.0.16'],
    ['alice@3:2222/2', '3', '0.0.0.3'],
    ['127.1', '127.1', '127.0.0.1'],
  ];
  it.each(cases)('--host %s', async (host, name, address) => {
    const args = ['fan', '--host-timeout', '2s', '--host', host, '--', 'cat'];
    const result = refusedHere(args.slice(1));
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --host: '${host}' is not [user@]host[:port][/slots]: a host name is never a number ('${name}' is read as the address ${address}; write an address as a.b.c.d) (see 'manifold fan --help')\n`,
    });
  });

  it("a config's queue and hosts, at their place", async () => {
    const dir = folder();
    const file = join(dir, 'p.yaml');
    writeFileSync(
      file,
      'stages:\n  - fan: { queue: 3 }\n  - fan: { worker: cat, hosts: [h1, 0x10] }\n',
    );
    const result = await run(manifold, ['check', file], '');
    const never = 'a host name is never a number';
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr:
        `${file}:2:19: queue 3 is not an address: ${never} ('3' is read as the address 0.0.0.3; write an address as a.b.c.d)\n` +
        `${file}:3:37: hosts: '0x10' is not [user@]host[:port][/slots]: ${never} ('0x10' is read as the address 0.0.0.16; write an address as a.b.c.d)\n`,
    });
  });
});

/** `manifold fan -j 1 <args>` refused before any input is read: exit 2, `line` alone, no output. */
function refusedBeforeInput(args: string[], line: string): void {
  const result = refusedHere(['-j', '1', ...args]);
  expect({
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    stderr: result.stderr,
  }).toEqual({
    exitCode: 2,
    stdout: '',
    stderr: `manifold: ${line} (see 'manifold fan --help')\n`,
  });
}

describe('a command that runs nothing is refused before any input is read', () => {
  // `--shell -- '  '` ran /bin/sh -c '  ', which read none of the input and exited 0: the run
  // succeeded with no output. An empty program was said as `--command must be an argv array
  // ...`, an option the command line has not.
  const cases: [string[], string][] = [
    [['--shell', '--', '  '], 'is a command line of blanks: it runs nothing'],
    [['--shell', '--', '', ' '], 'has an empty program (its first word)'],
    [['--', ''], 'has an empty program (its first word)'],
    [['--', '', 'cat'], 'has an empty program (its first word)'],
  ];
  it.each(cases)('%j', (args, said) => refusedBeforeInput(args, `the workers' command ${said}`));
});

describe('a command line the shell cannot parse is refused before any input is read', () => {
  // `--shell -- 'cat |'` started its workers, each failing with the shell's own line
  // (`/bin/sh: 1: Syntax error: end of file unexpected`) and `worker 1 (...) exited with status
  // 2`, exit 1; a config's `run: "cat |"` has been refused by its check since 32a1c2f.
  const cases: [string[], string][] = [
    [['--shell', '--', 'cat |'], 'end of file unexpected'],
    [['--shell', '--', 'cat', '|'], 'end of file unexpected'],
    [['--shell', '--', "sort '"], 'Unterminated quoted string'],
    // `local` is this machine: its shell reads the command.
    [['--host', 'local', '--shell', '--', 'if true'], 'end of file unexpected (expecting "then")'],
  ];
  it.each(cases)('%j', (args, said) =>
    refusedBeforeInput(
      args,
      `/bin/sh cannot parse the workers' command: line 1: Syntax error: ${said}`,
    ),
  );

  it('one it can parse runs', async () => {
    const result = await run(
      manifold,
      ['fan', '-j', '1', '--shell', '--', 'cat', '|', 'tr', 'a', 'b'],
      'a\n',
    );
    expect({ exitCode: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      exitCode: 0,
      stdout: 'b\n',
    });
  });
});

describe("'--' is never an option's value", () => {
  // Each: the arguments before `--`, the option the message must name.
  const cases: [string, string[], string][] = [
    ['fan --stats', ['fan', '--stats'], '--stats'],
    ['fan --input', ['fan', '--input'], '--input'],
    ['fan -j', ['fan', '-j'], '-j, --workers'],
    ['fan --split', ['fan', '--split'], '--split'],
    ['fan --merge (choices)', ['fan', '--merge'], '--merge'],
    ['run --stats', ['run', '--stats'], '--stats'],
    ['run --set', ['run', '--set'], '--set'],
    ['check --set', ['check', '--set'], '--set'],
    ['graph --format', ['graph', '--format'], '--format'],
  ];
  it.each(cases)('%s -- is a usage error naming the option', async (_, args, option) => {
    const dir = folder();
    const after = args[0] === 'fan' ? ['cat'] : [config(dir)];
    const result = await run(manifold, [...args, '--', ...after], 'a\nb\n', { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(oneLine);
    expect(result.stderr).toContain(`'${option}'`);
    expect(result.stdout.length).toBe(0);
    // Nothing was written under the name `--`.
    expect(readdirSync(dir).filter((name) => name !== 'p.yaml')).toEqual([]);
  });

  it('--input takes one file: the word after it starts the command', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'in'), 'a\nb\nc\n');
    const result = await run(manifold, ['fan', '-j', '1', '--input', 'in', 'wc', '-l'], '', {
      cwd: dir,
    });
    expect({ code: result.exitCode, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout.toString().trim()).toBe('3');
  });

  it('--input repeats, the files read in order', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a'), 'a\n');
    writeFileSync(join(dir, 'b'), 'b\n');
    const args = ['fan', '-j', '1', '--input', 'a', '--input', 'b', '--', 'cat'];
    const result = await run(manifold, args, '', { cwd: dir });
    expect(result.stdout.toString()).toBe('a\nb\n');
  });

  it("--stats - still writes the summary to stderr, and '-' stays a value", async () => {
    const result = await run(manifold, ['fan', '-j', '1', '--stats', '-', '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toBe('a\n');
    expect(JSON.parse(result.stderr).status).toBe(0);
  });
});

describe('values checked before anything runs', () => {
  it('-j beyond the maximum is one line naming -j and the maximum', async () => {
    const result = refusedHere(['-j', '99999999999999', '--', 'cat']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "manifold: -j, --workers must be a whole number from 1 to 4096, or +N, -N, N% of the CPUs (got 99999999999999) (see 'manifold fan --help')\n",
    );
  });

  it.each([
    ['fan', (dir: string) => ['fan', '--stats', join(dir, 'no/x'), '--', 'cat']],
    ['run', (dir: string) => ['run', '--stats', join(dir, 'no/x'), config(dir)]],
  ])('%s --stats in a folder that does not exist fails before the run', async (_, args) => {
    const dir = folder();
    const result = await run(manifold, args(dir), 'a\nb\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`manifold: --stats ${join(dir, 'no/x')}: no such directory\n`);
    expect(result.stdout.length).toBe(0);
  });

  it('a missing --input file is one line, exit 2', async () => {
    const dir = folder();
    const missing = join(dir, 'x');
    const result = await run(manifold, ['fan', '--input', missing, '--', 'cat']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`manifold: --input ${missing}: no such file\n`);
  });

  it('a directory as --input is one line, exit 2', async () => {
    const dir = folder();
    const result = await run(manifold, ['fan', '--input', dir, '--', 'cat']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(`manifold: --input ${dir}: is a directory\n`);
  });

  // It said libuv's words, `illegal operation on a directory`, where cat says `Is a directory`.
  it.each([
    ['fan', ['fan', '--', 'cat']],
    ['fan, per block', ['fan', '--per-block', '--', 'cat']],
  ])("a directory as stdin (%s) is one line in the system's words, exit 1", async (_, args) => {
    const result = await execa('sh', ['-c', `"$0" "$@" < "${folder()}"`, manifold, ...args], {
      reject: false,
    });
    expect([result.exitCode, result.stderr]).toEqual([
      1,
      'manifold: cannot read stdin: is a directory',
    ]);
  });
});

describe('--input /dev/fd/N', () => {
  // One the shell did not give was one of Node's own: its event loop's pipe, read for ever (for
  // fd 5, deaf to SIGINT), or an eventpoll, `no such device or address`, exit 1 (QA).
  it.each(['3', '4', '5', '7'])(
    '/dev/fd/%s not given is one line, exit 2, as run says it',
    async (n) => {
      const result = await execa(manifold, ['fan', '--input', `/dev/fd/${n}`, '--', 'cat'], {
        reject: false,
        timeout: 10_000,
      });
      expect([result.exitCode, result.stderr]).toEqual([
        2,
        expect.stringMatching(
          new RegExp(
            `^manifold: --input /dev/fd/${n}: descriptor ${n} is Node's own \\(an? \\w+\\), not one manifold was given \\(give it, as ${n}<file\\)$`,
          ),
        ),
      ]);
    },
  );

  it('one given is read; one open for writing only is refused', async () => {
    const script = `"$0" fan --input /dev/fd/3 -- cat 3< <(seq 3); "$0" fan --input /dev/fd/3 -- cat 3>/dev/null`;
    const result = await execa('bash', ['-c', script, manifold], { reject: false });
    expect([result.stdout, result.stderr]).toEqual([
      '1\n2\n3',
      'manifold: --input /dev/fd/3: descriptor 3 is open for writing only (give it, as 3<file)',
    ]);
  });
});

describe('--input from a pipe', () => {
  it('<(cmd) is read as a stream', async () => {
    const script = `"$0" fan -j 2 --block 16K --merge ordered --input <(seq 1 20000) --input <(seq 20001 30000) -- cat`;
    const result = await execa('bash', ['-c', script, manifold], { reject: false });
    expect({ code: result.exitCode, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toBe(execFileSync('seq', ['1', '30000']).toString().trimEnd());
  });

  it('a named pipe is read as a stream, whenever its writer comes', async () => {
    const dir = folder();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer's open waits for the fan to open the pipe: a child, so that no test thread waits.
    const writer = execa('sh', ['-c', 'printf "a\\nb\\nc\\n" > "$0"', fifo], { reject: false });
    onCleanup(() => writer.kill());
    const result = await run(manifold, [
      'fan',
      '-j',
      '2',
      '--merge',
      'ordered',
      '--input',
      fifo,
      '--',
      'cat',
    ]);
    expect({ code: result.exitCode, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout.toString()).toBe('a\nb\nc\n');
  });

  it('a named pipe nobody writes does not keep SIGTERM from ending the fan', async () => {
    const dir = folder();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(manifold, ['fan', '--input', fifo, '--', 'cat'], { stdio: 'ignore' });
    onCleanup(() => child.kill('SIGKILL'));
    const exited = once(child, 'exit');
    const opening = () => waitsIn(child.pid!, /wait_for_partner/);
    expect(await holdsWithin(opening, 10_000), 'manifold waiting to open the pipe').toBe(true);
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(143);
  });

  it('the --stats file, opened up front, holds the summary at the end', async () => {
    const dir = folder();
    const stats = join(dir, 'stats.json');
    const result = await run(manifold, ['fan', '-j', '1', '--stats', stats, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(0);
    expect(existsSync(stats)).toBe(true);
    expect(JSON.parse(readFileSync(stats, 'utf8')).totals.recordsIn).toBe(1);
  });
});

describe('--tag on stderr', () => {
  it('a line of 40 MB without a newline comes out whole, prefixed once, in linear time', async () => {
    // Quadratic before: 17 s for 20 MB, so about a minute for this one.
    const worker =
      'cat >/dev/null; head -c 40000000 /dev/zero | tr "\\0" x >&2; printf "y\\nz" >&2';
    const result = await run(manifold, ['fan', '-j', '1', '--tag', '--shell', '--', worker], 'a\n');
    // It exited 1, stderr whole, about 1 run in 30 with three at once: manifold waited for a
    // 'drain' of its stderr socket that a small last write never brings (test/orchestrator/
    // cli-exit.test.ts has it deterministically).
    expect(result.exitCode, result.stderr.slice(-300)).toBe(0);
    const { stderr } = result;
    // `1\t`, the x, then `y` ends that line; `z` has a line of its own, ended by manifold.
    expect(stderr.length).toBe(2 + 40_000_000 + 2 + 4);
    expect(stderr.startsWith('1\txxx')).toBe(true);
    expect(stderr.slice(40_000_002)).toBe('y\n1\tz\n');
    expect(stderr.indexOf('\t', 2)).toBe(40_000_005);
  }, 20_000);

  // A kernel pipe whose read end this process keeps, unread (`manifold ... 2>&1 | less`), or a
  // Node parent's 'pipe' (a socket) it does not read. manifold's stderr must stay non-blocking
  // once its process starter, which inherits it, has started: it was made blocking, and
  // manifold's thread then sat in write() for ever, deaf to SIGTERM.
  it.for(['a kernel pipe', 'a socket'] as const)(
    "a stalled reader of manifold's stderr (%s) stops the worker, not manifold's memory",
    { timeout: 40_000 },
    async (kind, { expect }) => {
      const dir = folder();
      const pidFile = join(dir, 'pid');
      const pipe = kind === 'a kernel pipe' ? openPipes(1)[0]! : null;
      if (pipe !== null) onCleanup(() => closeAll([pipe.read]));
      const worker = `echo $$ > ${pidFile}; exec yes 0123456789abcdef0123456789abcdef >&2`;
      const child = spawn(manifold, ['fan', '-j', '1', '--tag', '--shell', '--', worker], {
        stdio: ['pipe', 'ignore', pipe?.write ?? 'pipe'],
      });
      onCleanup(() => child.kill('SIGKILL'));
      if (pipe !== null) closeSync(pipe.write);
      else child.stderr!.pause();
      child.stdin!.end('a\n');
      // Nothing tells when the worker is held: /proc is looked at every 20 ms. Held, it stays
      // blocked writing, where reading it as fast as it writes would take gigabytes into memory.
      const held = await holdsWithin(() => {
        const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
        return pid > 0 && blockedFor(pid, 25);
      }, 15_000);
      expect(held, 'the worker held writing its stderr within 15 s').toBe(true);
      // About 50 MB held; before, 300 MB by the time the worker was seen waiting, and growing.
      expect(statusKiB(child.pid!, 'VmRSS')! / 1024).toBeLessThan(150);
      child.kill('SIGTERM');
      const exited = await holdsWithin(
        () => child.exitCode !== null || child.signalCode !== null,
        10_000,
      );
      expect(exited, 'manifold ended on SIGTERM within 10 s').toBe(true);
      expect(child.exitCode).toBe(143);
    },
  );
});

/**
 * Whether `pid` is blocked writing into a full pipe, at each of `checks` looks in a row. A
 * worker's stderr is the socket pair Node gives as a 'pipe': its full buffer shows as waiting
 * for socket memory.
 */
function blockedFor(pid: number, checks: number): boolean {
  for (let i = 0; i < checks; i++) {
    if (!writingIntoFullPipe(pid)) return false;
    execFileSync('sleep', ['0.01']);
  }
  return true;
}
