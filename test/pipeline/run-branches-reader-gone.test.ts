import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { tempDir, writeConfig } from '../support/temp.js';

// Branches combined by merge or concat, the combiner's reader (the run's) gone: the branch that
// wrote to it was let go, and one that never writes to it (`cat > /dev/null`) was fed the
// endless stream for ever: `yes | manifold run c.yaml | head -1` never ended (QA), where
// `yes | tee >(cat >/dev/null) | head -1` ends at once, its tee killed by SIGPIPE. The run's
// output closed, every stage is stopped and manifold ends 141, as config.md says.

describe('branches combined, the run’s reader gone', () => {
  it.each(['merge', 'concat'])(
    'combine: %s with a branch that never writes: ends 141',
    (combine) => {
      const dir = tempDir();
      const config = writeConfig(dir, {
        stages: [
          {
            branches: { a: [{ run: 'cat' }], b: [{ run: 'cat > /dev/null' }] },
            combine,
          },
        ],
      });
      // Past 15 s, manifold is ended (124) and what it started with it; yes by SIGPIPE.
      const script = `yes | timeout 15 "$0" run "$1" | head -n 1; echo "\${PIPESTATUS[1]}"`;
      const result = spawnSync('bash', ['-c', script, manifold, config], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.signal, 'the run never ended').toBe(null);
      expect({ stdout: result.stdout, stderr: result.stderr }).toEqual({
        stdout: 'y\n141\n',
        stderr: '',
      });
    },
  );
});

// A join that ends before its branches (`head -1 {a}`): the branch that wrote nothing to it was
// fed the endless stream for ever, and {b}'s substitution held {a}'s pipe open (QA). bash lets
// its <( )s go as the command ends; the join's branches are now let go, and the run ends 0.
describe('a join that ends before its branches', () => {
  it('head -1 {a} < {b}, b writing nothing to it, endless input: ends 0, nothing left', () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      stages: [
        {
          branches: { a: [{ run: 'cat' }], b: [{ run: 'cat > /dev/null' }] },
          combine: 'join',
          join: 'head -1 {a} < {b}',
        },
      ],
    });
    const script = `yes | timeout 15 "$0" run "$1"; echo "\${PIPESTATUS[1]}"; pgrep -f '^cat <&' || true`;
    const result = spawnSync('bash', ['-c', script, manifold, config], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect({ stdout: result.stdout, stderr: result.stderr }).toEqual({
      stdout: 'y\n0\n',
      stderr: '',
    });
  });
});

// The library's run, its Writable output destroyed while branches combine an endless stream:
// the output closed (manifold.outputClosed, as a closed output of one stage), not an abort.
describe('the library: branches combined, the output destroyed', () => {
  it('rejects manifold.outputClosed, and ends', async () => {
    const { run: runApi } = await import('../../orchestrator/index.js');
    const { Readable, Writable } = await import('node:stream');
    const endless = Readable.from(
      (function* () {
        for (;;) yield 'y\n'.repeat(1024);
      })(),
    );
    const output: InstanceType<typeof Writable> = new Writable({
      write: (_chunk, _encoding, done) => {
        done();
        output.destroy();
      },
    });
    const config = {
      stages: [
        { branches: { a: [{ run: 'cat' }], b: [{ run: 'cat > /dev/null' }] }, combine: 'merge' },
      ],
    };
    const code = await runApi(config as never, { input: endless, output }).then(
      () => 'resolved',
      (error: { code: string }) => error.code,
    );
    expect(code).toBe('manifold.outputClosed');
  }, 30_000);
});
