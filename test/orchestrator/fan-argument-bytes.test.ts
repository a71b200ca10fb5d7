import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, manifold } from '../helpers.js';
import { SEED } from '../support/property.js';
import { finish, hasStackTrace, quote, spawnShell } from '../support/spawn.js';
import { useTestHosts } from '../support/sshd.js';

// A word of the workers' command that is not UTF-8 (a Latin-1 `$'\xe9'`) reaches the worker as
// given, by every way manifold starts one, as GNU parallel passes it. Node decodes its own
// arguments with U+FFFD (EF BF BD) for such a byte, and its spawn can pass only UTF-8: before,
// manifold refused the word ("argument 6, $'\xe9', is not UTF-8 ..."), exit 2. The lines go
// through /bin/sh, whose printf makes the byte; each worker prints its argument's bytes.

const test = useTestHosts(1);

/** `$E9` in `line` stands for the byte 0xE9 (Latin-1 é): not UTF-8 alone. */
async function runWithByte(line: string, input = 'a\\n', env: Record<string, string> = {}) {
  const shell = `E9=$(printf '\\351'); printf '${input}' | ${line}`;
  return finish(spawnShell(shell, env), 60_000);
}

/** A worker that prints its first argument, byte for byte: `x` then 0xE9 here. */
const PRINTS = `printf '%s' "x$E9"`;

describe("a word of the workers' command that is not UTF-8 reaches the worker as given", () => {
  const cases: [how: string, options: string, command: string, env?: Record<string, string>][] = [
    ['a worker that stays (the Python starter)', '', PRINTS],
    ['a worker that stays (the Perl starter)', '', PRINTS, { MANIFOLD_STARTER: 'perl' }],
    ['a process per block', '--per-block', PRINTS],
    ['a process per block (the Perl starter)', '--per-block', PRINTS, { MANIFOLD_STARTER: 'perl' }],
    ['--shell: its one word to /bin/sh -c', '--shell', `"printf '%s' 'x$E9'"`],
    ['--cat: beside the block file', '--cat', `sh -c 'printf %s "$1"' sh "x$E9" {}`],
    [
      '--fifo: beside the block fifo',
      '--fifo',
      `sh -c 'printf %s "$1"; cat "$2" >/dev/null' sh "x$E9" {}`,
    ],
  ];
  it.each(cases)('%s', async (_how, options, command, env) => {
    const result = await runWithByte(`${manifold} fan -j 1 ${options} -- ${command}`, 'a\\n', env);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('hex')).toBe('78e9');
    expect(result.exitCode).toBe(0);
  });

  it('on a host, through sshd: its manifold worker starts it with a process starter', async () => {
    for (const options of ['', '--per-block']) {
      const hosts = `--ssh ${quote(test.ssh)} --host ${test.hosts[0]!.name}/1`;
      const result = await runWithByte(`${manifold} fan ${hosts} ${options} -- ${PRINTS}`);
      expect(result.stderr).toBe('');
      expect(result.stdout.toString('hex')).toBe('78e9');
      expect(result.exitCode).toBe(0);
    }
  });

  it('any bytes, UTF-8 or not, mixed (fast-check, seeded): the worker gets them all', async () => {
    // No NUL (no argument holds one) and no line feed (the shell's $(...) would drop a last one).
    const byte = fc.oneof(
      fc.integer({ min: 0x80, max: 0xff }),
      fc.constantFrom(0x41, 0x20, 0x25, 0x5c, 0x27, 0xc3, 0xa9, 0xe2, 0x82, 0xac),
    );
    const word = fc.array(byte, { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(word, async (bytes) => {
        const octal = bytes.map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
        const line = `W=$(printf '${octal}'); printf 'a\\n' | ${manifold} fan -j 1 -- printf '%s' "$W"`;
        const result = await finish(spawnShell(line), 60_000);
        expect(result.stderr).toBe('');
        expect(result.stdout.toString('hex')).toBe(Buffer.from(bytes).toString('hex'));
      }),
      { seed: SEED, numRuns: 8 },
    );
  }, 120_000);

  it('grep selects the Latin-1 line by its é', async () => {
    const line = `LC_ALL=C ${manifold} fan -j 1 -- grep "$E9"`;
    const result = await runWithByte(line, 'caf\\351\\nx\\n');
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('hex')).toBe('636166e90a');
    expect(result.exitCode).toBe(0);
  });

  it("a message names the command's bytes as $'...'", async () => {
    const line = `${manifold} fan -j 1 -- sh -c 'exit 3' "x$E9"`;
    const result = await runWithByte(line);
    expect(result.stderr).toMatch(
      // It is started with its first block, so the line names that block after a `;`.
      /^manifold: worker 1 \(pid \d+: sh -c exit 3 \$'x\\xe9'\) exited with status 3(;|$)/m,
    );
    expect(result.exitCode).toBe(1);
  });

  it("on a host, a message names the worker's pid, as for any other command there", async () => {
    // Its manifold worker starts it with a process starter, whose process has its pid a moment
    // after the start: the host said it ran as pid -1, and messages named none.
    const host = test.hosts[0]!.name;
    const hosts = `--ssh ${quote(test.ssh)} --host ${host}/1`;
    for (const options of ['', '--per-block']) {
      const line = `${manifold} fan ${hosts} ${options} -- sh -c 'exit 3' "x$E9"`;
      const result = await runWithByte(line);
      expect(result.stderr).toMatch(
        new RegExp(
          `^manifold: worker 1 \\(${host} pid \\d+: sh -c exit 3 \\$'x\\\\xe9'\\) exited with status 3`,
          'm',
        ),
      );
      expect(result.exitCode).toBe(1);
    }
  });

  it('a usage error that quotes such a word says its byte as \\xe9, not as U+FFFD', async () => {
    const result = await runWithByte(`${manifold} fan "--x$E9" -- cat`);
    expect(result.stderr).toBe("manifold: unknown option '--x\\xe9' (see 'manifold fan --help')\n");
    expect(result.exitCode).toBe(2);
  });

  it("the hint to add --shell gives the line back with its bytes, as $'...'", async () => {
    const result = await runWithByte(`${manifold} fan -j 1 -- grep "x$E9" '|' wc`);
    expect(result.stderr).toMatch(
      /^manifold: hint: '\|' was an argument of grep: to run it with \/bin\/sh -c, add --shell: manifold fan --shell -- \$'grep x\\xe9 \| wc'$/m,
    );
    expect(result.exitCode).toBe(1);
  });

  it('a program so named is looked up by its bytes', async () => {
    const result = await runWithByte(`${manifold} fan -j 1 -- "x$E9"`);
    expect(result.stderr).toBe(`manifold: $'x\\xe9': command not found\n`);
    expect(result.exitCode).toBe(127);
  });
});

describe('refused where nothing can pass the bytes, one line, exit 2', () => {
  it("Node's spawn (MANIFOLD_STARTER=spawn)", async () => {
    const line = `${manifold} fan -j 1 -- ${PRINTS}`;
    const result = await runWithByte(line, 'a\\n', { MANIFOLD_STARTER: 'spawn' });
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).toBe(
      "manifold: the workers' command: its argument $'x\\xe9' is not UTF-8, which Node's spawn, " +
        'starting the workers here (MANIFOLD_STARTER=spawn), cannot pass as given: only the ' +
        "process starter can (docs/fan.md) (see 'manifold fan --help')\n",
    );
    expect(result.stdout.toString('hex')).toBe('');
    expect(result.exitCode).toBe(2);
  });

  it('--threads: a thread is given strings', async () => {
    const line = `${manifold} fan -j 1 --threads -- ${fixture('identity.js')} "x$E9"`;
    const result = await runWithByte(line);
    expect(result.stderr).toBe(
      "manifold: --threads: the word $'x\\xe9' is not UTF-8, and a thread is given its " +
        "command's words as JavaScript strings, which would change it; give it in UTF-8, or " +
        "run processes (see 'manifold fan --help')\n",
    );
    expect(result.exitCode).toBe(2);
  });

  it("an option's value before the command (--key): text, as before", async () => {
    const result = await runWithByte(`${manifold} fan -j 1 --key "x$E9" -- ${PRINTS}`);
    expect(result.stderr).toBe(
      "manifold: argument 5, $'x\\xe9', is not UTF-8: manifold reads its arguments as UTF-8 " +
        'text and would take U+FFFD for each byte that is not, changing it; give it in UTF-8\n',
    );
    expect(result.exitCode).toBe(2);
  });
});
