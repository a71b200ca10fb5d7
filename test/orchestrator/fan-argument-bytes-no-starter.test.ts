import { existsSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { finish, hasStackTrace, spawnShell } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';

// A word of the workers' command that is not UTF-8 reaches a process only through a process
// starter (Debian's /usr/bin/python3, or a perl on PATH): Node's spawn sends UTF-8 alone. Where
// neither can run, such a command is refused before anything runs: one line, exit 2, not
// `cannot start worker 1: ...` per worker as each starts, nor a queue's worker taking blocks it
// cannot run, which the coordinator would then fail as lost (exit 1).
//
// Here: MANIFOLD_STARTER=perl (Python is found by its path, not on PATH: this skips it), and a
// PATH of links to what the test needs, without perl.

/** A folder of links to `programs`, as this PATH finds them: a PATH of them alone. */
function pathOf(programs: string[]): string {
  const dir = tempDir('manifold-no-perl-');
  const here = (process.env.PATH ?? '').split(delimiter);
  for (const program of programs) {
    const found =
      program === 'node'
        ? process.execPath
        : here.map((folder) => join(folder, program)).find((path) => existsSync(path));
    symlinkSync(found!, join(dir, program));
  }
  return dir;
}

/** `line` through /bin/sh, `$E9` in it the byte 0xE9, with no starter that can run. */
async function runWithByte(line: string) {
  const env = { MANIFOLD_STARTER: 'perl', PATH: pathOf(['node', 'cat', 'printf']) };
  return finish(spawnShell(`E9=$(printf '\\351'); printf 'a\\nb\\n' | ${line}`, env), 60_000);
}

const WHY =
  "its argument $'x\\xe9' is not UTF-8, which Node's spawn, starting the workers here " +
  '(MANIFOLD_STARTER=perl, and no perl on PATH), cannot pass as given: only the process ' +
  'starter can (docs/fan.md)';

describe('neither python3 nor perl: a command with bytes that are not UTF-8 is refused, exit 2', () => {
  it.each([
    ['workers that stay', '-j 3'],
    ['a process per block', '-j 3 --per-block -N 1'],
    ['--cat', '--cat -N 1'],
    ['this machine as a host (--host :), its manifold worker', '--host :/2'],
  ])('manifold fan, %s: one line, before any worker', async (_name, options) => {
    const result = await runWithByte(`${manifold} fan ${options} -- printf '%s' "x$E9"`);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect([result.exitCode, result.stdout.toString(), result.stderr]).toEqual([
      2,
      '',
      `manifold: the workers' command: ${WHY} (see 'manifold fan --help')\n`,
    ]);
  });

  it('manifold worker --queue: one line, before it looks for the queue', async () => {
    const line = `${manifold} worker --queue nats://127.0.0.1:1 --connect-timeout 0 -- printf '%s' "x$E9"`;
    const result = await runWithByte(line);
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      `manifold: the workers' command: ${WHY} (see 'manifold worker --help')\n`,
    ]);
  });

  it("a command in UTF-8 runs as ever, by Node's spawn", async () => {
    const result = await runWithByte(`${manifold} fan -j 2 --per-block -N 1 -- printf '%s\\n' x`);
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', 'x\nx\n']);
  });
});
