import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { manifold, run } from '../helpers.js';
import { escapeRegExp, nonEmptyLines } from './lines.js';
import { tempDir as makeTempDir, writeConfig } from './temp.js';

// `manifold check <config>` as its suites run it: problems are found in the config text by a
// needle, so that each case says what its position points at.

export const tempDir = () => makeTempDir('manifold-pipe-check-');

/** `manifold check`, from a working directory that is not the config's folder. */
export const check = (config: string, args: string[] = []) =>
  run(manifold, ['check', config, ...args], '', { cwd: tempDir(), timeout: 20_000 });

/** `line:column` of the `nth` occurrence of `needle` in `text` (1-based, columns in code points). */
export function at(text: string, needle: string, nth = 1): string {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" is not ${nth} times in the config`);
  }
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${[...before.at(-1)!].length + 1}`;
}

/** The problem lines of stderr; the first may carry the program's name, as errors do. */
export const problemsOf = (stderr: string) => nonEmptyLines(stderr.replace(/^manifold: /, ''));

/** Each expected problem: the text it points at (its nth occurrence), and its message. */
export type Expected = [needle: string | [string, number], message: RegExp];

/** Checks `text` as a config (`name`): exit 2 and exactly the `expected` problems, in order. */
export async function expectProblems(
  text: string,
  expected: Expected[],
  name = 'pipeline.yaml',
): Promise<void> {
  const dir = tempDir();
  writeFileSync(join(dir, 'present.js'), '');
  const file = writeConfig(dir, text, name);
  const result = await check(file);
  const wanted = expected.map(([needle, message]) => {
    const [what, nth] = typeof needle === 'string' ? [needle, 1] : needle;
    const prefix = escapeRegExp(`${file}:${at(text, what, nth)}: `);
    return expect.stringMatching(new RegExp(`^${prefix}${message.source}`));
  });
  expect({
    exitCode: result.exitCode,
    stdout: result.stdout.toString(),
    problems: problemsOf(result.stderr),
  }).toEqual({ exitCode: 2, stdout: '', problems: wanted });
}
