import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';

// `manifold fan --stats ''` said `--stats : no such directory`, unquoted, as `--input ''` did
// before: a name that is empty or holds a space is shown quoted, as GNU tools show it.

describe('--stats names in messages', () => {
  const cases: [string, string][] = [
    ['', "manifold: --stats '': no such directory\n"],
    ['no dir/x.json', "manifold: --stats 'no dir/x.json': no such directory\n"],
    ['nodir/x.json', 'manifold: --stats nodir/x.json: no such directory\n'],
  ];
  for (const [name, said] of cases) {
    it(`${JSON.stringify(name)}: ${said.trim()}`, async ({ expect }) => {
      const result = await fan(['--stats', name, '--', 'cat'], 'a\n');
      expect([result.exitCode, result.stderr]).toEqual([2, said]);
    });
  }
});
