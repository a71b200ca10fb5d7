import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { runApiScript } from '../api/script.js';
import { manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// Every persistent worker ending for good before the input does, by its own choice (`head -1`):
// where manifold reads the input itself (--tag, --stats, a config's fan, the perl starter), it
// read on, dropping every block, so `yes | manifold fan --tag -- head -1` never ended (and a
// finite input was read to its end for nothing). Now the input goes unread from there, as in a
// shell pipe: its writer meets EPIPE (`yes` ends by SIGPIPE, 141), and the run ends with the
// workers' status, 0, as `yes | head -1` does and as the starter's own reading of a pipe did.

/** `yes | manifold args` by bash, with `yes`'s and manifold's statuses. */
async function fromYes(args: string, env: NodeJS.ProcessEnv = {}) {
  const script = `yes | "$NODE" "$MANIFOLD" ${args}; echo "statuses \${PIPESTATUS[*]}" >&2`;
  const result = await run('bash', ['-c', script], '', {
    env: { ...process.env, ...env, NODE: process.execPath, MANIFOLD: manifold },
  });
  return {
    lines: result.stdout
      .toString()
      .split('\n')
      .filter((line) => line !== '')
      .sort(),
    statuses: /statuses (.*)$/m.exec(result.stderr)?.[1],
    stderr: result.stderr.replace(/^statuses .*\n/m, ''),
  };
}

describe.concurrent('every worker ends before the input', () => {
  const config = join(tempDir(), 'head.yaml');
  writeFileSync(config, 'stages:\n  - fan: { worker: head -1, workers: 2 }\n');
  const cases: [string, string, NodeJS.ProcessEnv, string[]][] = [
    ['fan --tag', 'fan -j 2 --tag -- head -1', {}, ['1\ty', '2\ty']],
    ['fan --stats', 'fan -j 2 --stats /dev/null -- head -1', {}, ['y', 'y']],
    ['fan, round-robin', 'fan -j 2 --dispatch round-robin --tag -- head -1', {}, ['1\ty', '2\ty']],
    ['fan, the perl starter', 'fan -j 2 -- head -1', { MANIFOLD_STARTER: 'perl' }, ['y', 'y']],
    ['fan, the starter reading the pipe', 'fan -j 2 -- head -1', {}, ['y', 'y']],
    ['a config', `run ${config}`, {}, ['y', 'y']],
  ];
  for (const [name, args, env, lines] of cases) {
    it(`${name}: yes | head -1 on every worker ends, exit 0, yes ended by SIGPIPE`, async ({
      expect,
    }) => {
      const result = await fromYes(args, env);
      expect(result.stderr).toBe('');
      expect(result.statuses).toBe('141 0');
      expect(result.lines).toEqual(lines);
    });
  }
});

// The library, from an endless Readable: one that pushes at once never let the event loop turn
// (the workers' exits went unheard: the call never settled, as before this change too); one that
// pushes later was read for ever, and once closed by manifold its destruction ('Premature
// close') must not be the run's failure.
describe.concurrent('every worker ends before an endless Readable', () => {
  const ways: [string, string][] = [
    ['pushing at once', 'this.push(lines)'],
    ['pushing on the next turn', 'setImmediate(() => this.push(lines))'],
  ];
  for (const [name, push] of ways) {
    it(`${name}: the call resolves, status 0, the stream destroyed`, async ({ expect }) => {
      const result = await runApiScript(`
        import { Readable, Writable } from 'node:stream';
        const lines = 'y\\n'.repeat(10000);
        let out = '';
        const input = new Readable({ read() { ${push}; } });
        const output = new Writable({ write(chunk, encoding, done) { out += chunk; done(); } });
        const summary = await fan({ command: 'head -1', workers: 2 }, { input, output });
        console.log(JSON.stringify([out, summary.status, input.destroyed]));`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('["y\\ny\\n",0,true]');
      expect(result.exitCode).toBe(0);
    });
  }
});
