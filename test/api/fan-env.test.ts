import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { sink } from '../support/sink.js';
import { builtTable } from '../support/tables.js';
import { tempDir } from '../support/temp.js';

// The library's `env`: added to the fan's own variables (its tables' MANIFOLD_TABLE_<NAME>,
// tmpdir's TMPDIR), all over this process's environment, as execa's extendEnv: an `env` that
// replaced the fan's own would leave a worker given `table` and `env` no MANIFOLD_TABLE_<NAME>.

describe("fan's env", () => {
  it("is added to the tables' and tmpdir's variables and the process's environment", async () => {
    const dir = tempDir();
    await builtTable(dir, 'users', 'u1\tAda\n', ['--key', 'field:1', '--field-sep', 'tab']);
    process.env.MANIFOLD_TEST_INHERITED = 'inherited';
    const out = sink();
    await fan(
      {
        command:
          'cat >/dev/null; echo "$GIVEN $MANIFOLD_TABLE_USERS $TMPDIR $MANIFOLD_TEST_INHERITED"',
        shell: true,
        workers: 1,
        table: [`users=${join(dir, 'users.mft')}`],
        tmpdir: dir,
        env: { GIVEN: 'given' },
      },
      { input: Readable.from(['a\n']), output: out },
    );
    delete process.env.MANIFOLD_TEST_INHERITED;
    expect(out.text()).toBe(`given ${join(dir, 'users.mft')} ${dir} inherited\n`);
  });

  it("cannot take the fan's own variables from it: tmpdir's TMPDIR wins", async () => {
    const dir = tempDir();
    const out = sink();
    await fan(
      {
        command: 'cat >/dev/null; echo "$TMPDIR"',
        shell: true,
        workers: 1,
        tmpdir: dir,
        env: { TMPDIR: '/nowhere' },
      },
      { input: Readable.from(['a\n']), output: out },
    );
    expect(out.text()).toBe(`${dir}\n`);
  });
});
