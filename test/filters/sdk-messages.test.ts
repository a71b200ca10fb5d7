import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, root, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// Lines the SDK said wrongly (QA): `--split raw` under a fan was told to give manifold fan
// --split raw, which manifold refuses; a module calling main() twice in a thread said its name
// twice (`twomain: twomain: ...`); a value with no JSON was `a object`.

describe("the SDK's lines", () => {
  it('--split raw under a fan: leave it out (it said to give it to manifold, which refuses it)', async () => {
    const result = await run(
      manifold,
      ['fan', '--threads', '--', 'mf-map', '--split', 'raw', 'r'],
      '1\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^mf-map: --split raw cannot read manifold's blocks, which are records \(lines\): leave it out, and the filter reads them \(see 'mf-map --help'\)\n/,
    );
  });

  it('main() twice in a thread: named once', async () => {
    const module = join(tempDir(), 'two.mjs');
    const sdk = join(root, 'dist/bundle/index.js');
    writeFileSync(
      module,
      `import { defineFilter } from '${sdk}';\nconst f = defineFilter({ name: 'twomain' });\nf.main();\nf.main();\n`,
    );
    const result = await run(manifold, ['fan', '--threads', '--', module], '1\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^twomain: main\(\) called again in a thread that serves twomain: a module run with --threads runs one filter, once/,
    );
  });

  it('a value with no JSON: an object, a function', async () => {
    const object = await run(bin('mf-map'), ['({ toJSON() {} })'], 'x\n');
    expect(object.stderr).toBe('mf-map: stdin:1: TypeError: cannot write an object as a record\n');
    const fn = await run(bin('mf-map'), ['() => 1'], 'x\n');
    expect(fn.stderr).toBe('mf-map: stdin:1: TypeError: cannot write a function as a record\n');
  });
});
