import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';

// `manifold fan --input ''` said `--input : no such file`, and `--input 'a b'` said `--input a
// b: no such file`, which reads as two words: a name that is empty or holds a space is shown
// quoted, as GNU tools show it (`cat: '': No such file or directory`).

describe('--input names in messages', () => {
  const cases: [string, string][] = [
    ['', "manifold: --input '': no such file\n"],
    ['a b', "manifold: --input 'a b': no such file\n"],
    ['plain.log', 'manifold: --input plain.log: no such file\n'],
  ];
  for (const [name, said] of cases) {
    it(`${JSON.stringify(name)}: ${said.trim()}`, async ({ expect }) => {
      const result = await fan(['--input', name, '--', 'cat']);
      expect([result.exitCode, result.stderr]).toEqual([2, said]);
    });
  }
});
