// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are configs' variables, not JavaScript's.
import { describe, expect, it } from 'vitest';
import { at, check, problemsOf, tempDir } from '../support/check.js';
import { writeConfig } from '../support/temp.js';

// A number a config reads from text (a variable's value, a quoted or an unquoted word) is
// decimal digits, as `-j` and `head -n` take it. Ajv's coercion took whatever JavaScript's
// Number() reads: W=0x10 made 16 workers, 1e1 ten, " 4", 4.0 and +4 four, all unsaid.

const text = 'stages:\n  - fan: {worker: cat, retries: "${W}", records: "${R:-1}"}\n';

async function problemsWith(
  sets: string[],
): Promise<{ exitCode: number | undefined; problems: string[] }> {
  const file = writeConfig(tempDir(), text);
  const result = await check(
    file,
    sets.flatMap((set) => ['--set', set]),
  );
  return { exitCode: result.exitCode, problems: problemsOf(result.stderr) };
}

describe('a number from a variable', () => {
  // The last three no reading makes a number: each is named with its value and variable, not
  // only '"workers" must be a whole number'.
  it.each(['0x10', '1e1', ' 4', '4.0', '+4', '4 ', '0o7', '1.5', '1_000', 'three'])(
    'W=%j is one problem, naming the key, the variable and its value',
    async (value) => {
      const file = writeConfig(tempDir(), text);
      const result = await check(file, ['--set', `W=${value}`]);
      expect({ exitCode: result.exitCode, problems: problemsOf(result.stderr) }).toEqual({
        exitCode: 2,
        problems: [
          `${file}:${at(text, '"${W}"')}: "retries" must be a whole number in decimal digits, not "${value}" (from "\${W}")`,
        ],
      });
    },
  );

  it('decimal digits are read, in each numeric key', async () => {
    expect(await problemsWith(['W=16', 'R=007'])).toEqual({ exitCode: 0, problems: [] });
  });

  it('a default is held to it too', async () => {
    const result = await problemsWith(['W=2', 'R=']);
    expect(result.exitCode).toBe(0);
    const bad = await problemsWith(['W=2', 'R=0x1']);
    expect(bad.problems).toEqual([
      expect.stringMatching(
        /: "records" must be a whole number in decimal digits, not "0x1" \(from "\$\{R:-1\}"\)$/,
      ),
    ]);
  });
});

describe('a number written in the config', () => {
  it.each(['0x10', '1e1', '"4.0"', '+4', 'three', '"1.5"'])(
    'retries: %s is one problem',
    async (value) => {
      const config = `stages:\n  - fan: {worker: cat, retries: ${value}}\n`;
      const file = writeConfig(tempDir(), config);
      const result = await check(file);
      const shown = value.replace(/^"|"$/g, '');
      expect({ exitCode: result.exitCode, problems: problemsOf(result.stderr) }).toEqual({
        exitCode: 2,
        problems: [
          `${file}:${at(config, value)}: "retries" must be a whole number in decimal digits, not "${shown}"`,
        ],
      });
    },
  );
});

describe('workers: a number, or relative to the CPUs as GNU parallel -j takes it', () => {
  // `+4`, `-1` and `50%` were refused, or read as 4 (`+4`) by the coercion, before.
  it.each(['+4', '-1', '50%', '12.5%', '"3"', '2'])('workers: %s is read', async (value) => {
    const file = writeConfig(tempDir(), `stages:\n  - fan: {worker: cat, workers: ${value}}\n`);
    const result = await check(file);
    expect({ exitCode: result.exitCode, problems: problemsOf(result.stderr) }).toEqual({
      exitCode: 0,
      problems: [],
    });
  });

  it.each([
    ['"4.0"', '"4.0"'],
    ['three', '"three"'],
    ['"+"', '"+"'],
    ['5%%', '"5%%"'],
  ])('workers: %s is one problem, naming the forms', async (value, shown) => {
    const config = `stages:\n  - fan: {worker: cat, workers: ${value}}\n`;
    const file = writeConfig(tempDir(), config);
    const result = await check(file);
    expect({ exitCode: result.exitCode, problems: problemsOf(result.stderr) }).toEqual({
      exitCode: 2,
      problems: [
        `${file}:${at(config, value)}: "workers" must be a whole number of at least 1, or +N, -N, N% of the CPUs (as GNU parallel's -j), not ${shown}`,
      ],
    });
  });

  it('workers: 0, parallel\'s "as many as can run", says why not', async () => {
    const config = 'stages:\n  - fan: {worker: cat, workers: 0}\n';
    const file = writeConfig(tempDir(), config);
    const result = await check(file);
    expect(problemsOf(result.stderr)).toEqual([
      `${file}:${at(config, '0')}: workers 0 (GNU parallel's "as many as can run") has no meaning for a fan, whose blocks wait for a worker: give a number from 1 to 4096, or +N, -N, N% of the CPUs`,
    ]);
  });

  it('a value from a variable names the variable', async () => {
    const file = writeConfig(tempDir(), 'stages:\n  - fan: {worker: cat, workers: "${W}"}\n');
    const result = await check(file, ['--set', 'W=x2']);
    expect(problemsOf(result.stderr)).toEqual([
      expect.stringMatching(/: "workers" must be a whole number .* not "x2" \(from "\$\{W\}"\)$/),
    ]);
  });

  it('true is a problem, not one worker', async () => {
    const config = 'stages:\n  - fan: {worker: cat, workers: true}\n';
    const file = writeConfig(tempDir(), config);
    const result = await check(file);
    expect(problemsOf(result.stderr)).toEqual([
      `${file}:${at(config, 'true')}: "workers" must be a number, not true`,
    ]);
  });
});
