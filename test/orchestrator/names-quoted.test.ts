import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { fileTempDir } from '../support/temp.js';

// A file or folder named in a refusal is quoted when the shell would need it quoted (empty, a
// space), as --input's and --stats' are (filters/errors.ts `quoteName`): `-o no dir/t.mft: no
// such directory no dir` read as three words where there is one name.

describe.concurrent('names with a space, quoted in the line that refuses them', () => {
  const cases: [string, string[], string][] = [
    [
      'table build -o',
      ['table', 'build', '-', '--key', 'field:1', '-o', 'no dir/t.mft'],
      "manifold: -o 'no dir/t.mft': no such directory 'no dir'\n",
    ],
    [
      'fan --hosts-file',
      ['fan', '--hosts-file', 'no file', '--', 'cat'],
      "manifold: --hosts-file 'no file': no such file (see 'manifold fan --help')\n",
    ],
    [
      'fan --transfer',
      ['fan', '--host', 'h1', '--transfer', 'a b', '--', 'cat'],
      "manifold: --transfer 'a b': no such file (see 'manifold fan --help')\n",
    ],
    [
      'fan --queue --output',
      ['fan', '--queue', 'nats://127.0.0.1:1', '--job', 'j', '--output', 'no dir/x'],
      "manifold: --output 'no dir/x': no such directory\n",
    ],
  ];
  for (const [name, args, line] of cases) {
    it(name, async () => {
      const result = await run(manifold, args, 'a\t1\n', { cwd: fileTempDir('manifold-names-') });
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 2,
        stderr: line,
      });
    });
  }
});
