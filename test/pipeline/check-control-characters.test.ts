import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir, writeConfig } from '../support/temp.js';

// `manifold check` wrote an escape sequence or a CR in a config's value as it was, in three of
// its lines (a command not found, an unknown key, a missing input), where the others escape them
// (QA): a terminal ran the sequence, a CR hid the line's start.

describe('check: a value with a control character is escaped in its line', () => {
  it.each([
    [
      'a command',
      { stages: [{ name: 'x', run: ['no\x1b[31msuch'] }] },
      "$'no\\x1b[31msuch': command not found",
    ],
    [
      'an unknown key',
      { stages: [{ name: 'x', fan: { 'w\x1b[31mred': 2, worker: ['cat'] } }] },
      'unknown key "w\\u001b[31mred"',
    ],
    [
      'an input',
      { input: 'no\rsuch.txt', stages: [{ name: 'x', run: ['cat'] }] },
      'input file "no\\rsuch.txt" does not exist',
    ],
  ])('%s', async (_what, config, said) => {
    const file = writeConfig(tempDir(), config);
    const result = await run(manifold, ['check', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(said);
    const control = [...result.stderr].filter((c) => c.charCodeAt(0) < 0x20 && c !== '\n');
    expect(control).toEqual([]);
  });
});
