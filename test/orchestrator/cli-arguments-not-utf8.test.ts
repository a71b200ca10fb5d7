import { describe, expect, it } from 'vitest';
import { bin, manifold } from '../helpers.js';
import { finish, hasStackTrace, spawnShell } from '../support/spawn.js';

// Node decodes a process's arguments as UTF-8 and puts U+FFFD (EF BF BD) for each byte that is
// not: `--split $'delim:\xe9'` split at EF BF BD, which the input never holds. Such an argument
// is refused, one line naming it, exit 2, before anything runs, but in the words of the workers'
// command, which reach the worker as given (fan-argument-bytes.test.ts). The command lines go
// through /bin/sh: its printf makes the byte (Node's own spawn could not pass it).

/** `$E9` in `line` stands for the byte 0xE9 (Latin-1 é): not UTF-8 alone. */
async function runWithByte(line: string, input = 'caf\\351\\n') {
  const shell = `E9=$(printf '\\351'); printf '${input}' | ${line}`;
  return finish(spawnShell(shell), 60_000);
}

const REFUSED = (program: string, index: number, quoted: string) =>
  `${program}: argument ${index}, ${quoted}, is not UTF-8: ${program} reads its arguments as UTF-8 text and would take U+FFFD for each byte that is not, changing it; give it in UTF-8`;

describe('an argument that is not UTF-8 is refused, not changed', () => {
  const cases: [line: string, program: string, index: number, quoted: string][] = [
    // A byte delimiter: it became EF BF BD, which the input never holds.
    [`${manifold} fan -j 1 --split "delim:$E9" -- cat`, 'manifold', 5, `$'delim:\\xe9'`],
    // A `manifold run` variable, which a stage's command takes.
    [`${manifold} run --set "P=$E9" /dev/null`, 'manifold', 3, `$'P=\\xe9'`],
    // A filter's own expression.
    [`${bin('mf-filter')} "r.includes('$E9')"`, 'mf-filter', 1, `$'r.includes(\\'\\xe9\\')'`],
    [`${bin('mf-map')} -- "r + '$E9'"`, 'mf-map', 2, `$'r + \\'\\xe9\\''`],
  ];
  it.each(cases)('%s', async (line, program, index, quoted) => {
    const result = await runWithByte(line);
    expect(result.hung).toBe(false);
    expect(hasStackTrace(result.stderr)).toBe(false);
    const help = program === 'manifold' ? '' : ` (see '${program} --help')`;
    expect(result.stderr).toBe(`${REFUSED(program, index, quoted)}${help}\n`);
    expect(result.stdout.toString('hex')).toBe('');
    expect(result.exitCode).toBe(2);
  });

  it("fan.md's way round: the worker's shell makes the byte, and grep selects by it", async () => {
    const line = `${manifold} fan -j 1 --shell -- 'LC_ALL=C grep "$(printf "\\351")"'`;
    const result = await runWithByte(line, 'caf\\351\\nx\\n');
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('hex')).toBe('636166e90a');
    expect(result.exitCode).toBe(0);
  });

  it('UTF-8 arguments reach the worker byte for byte', async () => {
    // é as UTF-8 (C3 A9): passed on as it is.
    const result = await runWithByte(
      `${manifold} fan -j 1 -- printf "%s" "x$(printf '\\303\\251')"`,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('hex')).toBe('78c3a9');
    expect(result.exitCode).toBe(0);
  });
});
