import { describe, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fan } from '../support/fan-run.js';

// `manifold fan --stats 'no dir/x'` is quoted, as GNU tools show a name; an empty one names no
// file, as --joblog '' says (not `--stats '': no such directory`, nor, unquoted, `--stats : no
// such directory`). manifold run's --stats says the same.

describe('--stats names in messages', () => {
  const cases: [string, string][] = [
    ['', 'manifold: --stats must name a file, or - for stderr\n'],
    ['no dir/x.json', "manifold: --stats 'no dir/x.json': no such directory\n"],
    ['nodir/x.json', 'manifold: --stats nodir/x.json: no such directory\n'],
  ];
  for (const [name, said] of cases) {
    it(`${JSON.stringify(name)}: ${said.trim()}`, async ({ expect }) => {
      const result = await fan(['--stats', name, '--', 'cat'], 'a\n');
      expect([result.exitCode, result.stderr]).toEqual([2, said]);
    });
  }

  it("manifold run --stats ''", async ({ expect }) => {
    const config = 'input: /dev/null\nstages: [{run: cat}]\n';
    const result = await run(manifold, ['run', '--stats', '', '-'], config);
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      'manifold: --stats must name a file, or - for stderr\n',
    ]);
  });
});
