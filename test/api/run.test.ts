import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ManifoldError, RunError, run } from '../../orchestrator/index.js';
import { fixture } from '../helpers.js';
import { holdsWithin, leftovers, pidsIn, procsOf } from '../support/proc.js';
import { sink } from '../support/sink.js';
import { tempDir } from '../support/temp.js';
import { runApiScript } from './script.js';

async function rejection(promise: Promise<unknown>): Promise<ManifoldError> {
  return promise.then(
    () => {
      throw new Error('the promise resolved');
    },
    (e: unknown) => e as ManifoldError,
  );
}

describe('run', () => {
  it('a config object from a Readable to a Writable: command, fan, summary', async () => {
    const out = sink();
    const summary = await run(
      {
        stages: [
          { name: 'upper', run: 'tr a-z A-Z' },
          {
            name: 'fanned',
            fan: {
              worker: ['cat'],
              workers: 2,
              merge: 'ordered',
              attribution: 'one-to-one',
              block: 8,
            },
          },
        ],
      },
      { input: Readable.from(['alpha\nbeta\n', 'gamma\n']), output: out },
    );
    expect(out.text()).toBe('ALPHA\nBETA\nGAMMA\n');
    expect(summary.status).toBe(0);
    expect(summary.stages.map((s) => s.stage)).toEqual(['upper', 'fanned']);
    expect(summary.stages[1]!.records).toEqual({ in: 3, out: 3 });
  });

  it('a config file with a variable from set, its input file, an output path written whole', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.txt'), 'b\na\nc\n');
    writeFileSync(
      join(dir, 'pipeline.yaml'),
      ['input: in.txt', 'stages:', `  - run: $${'{'}SORT}`, '  - run: [tr, a-z, A-Z]', ''].join(
        '\n',
      ),
    );
    await run(join(dir, 'pipeline.yaml'), { set: { SORT: 'sort' }, output: join(dir, 'out.txt') });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('A\nB\nC\n');
    expect(readdirSync(dir).sort()).toEqual(['in.txt', 'out.txt', 'pipeline.yaml']);
  });

  // It was Node's own TypeError (`Cannot convert undefined or null to object`), with no code.
  it('a second argument that is not an object is refused as a usage error', async () => {
    const config = { stages: [{ name: 'a', run: 'cat' }] };
    for (const io of [null, 5, 'x']) {
      const error = (await run(config, io as never).catch((e: unknown) => e)) as ManifoldError;
      expect({ code: error.code, exitCode: error.exitCode, message: error.message }).toEqual({
        code: 'manifold.usage',
        exitCode: 2,
        message:
          'the second argument must be an object: { set, input, output, signal, stderr, reporter, verbose }',
      });
    }
  });

  it("a failing stage rejects with manifold.failure, its line and its stderr's last lines", async () => {
    const error = await rejection(
      run(
        { stages: [{ name: 'bad', run: 'cat >/dev/null; echo "no good" >&2; exit 5' }] },
        { input: Readable.from(['a\n']), output: sink() },
      ),
    );
    expect(error).toBeInstanceOf(RunError);
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures).toEqual([
      'stage bad (cat >/dev/null; echo "no good" >&2; exit 5) exited with status 5',
    ]);
    expect((error as RunError).stderr).toEqual(['no good']);
  });

  it("a failing fan worker's line names the stage; the output file is not left behind", async () => {
    const dir = tempDir();
    const error = await rejection(
      run(
        { stages: [{ name: 'f', fan: { worker: 'echo broken >&2; exit 2', workers: 1 } }] },
        { input: Readable.from(['a\n']), output: join(dir, 'out') },
      ),
    );
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures[0]).toMatch(
      /^stage f: worker 1 \(pid \d+: .*\) exited with status 2/,
    );
    expect((error as RunError).stderr).toEqual(['broken']);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it("a config's problems reject with manifold.usage, each at its line", async () => {
    const error = await rejection(
      run(
        { stages: [{ fan: { worker: 'cat', block: 'huge' } }] },
        { input: Readable.from([]), output: sink() },
      ),
    );
    expect(error.code).toBe('manifold.usage');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^<config>:\d+:\d+: block huge is not a size/);
  });

  const refused: [string, Parameters<typeof run>, RegExp][] = [
    ['no input', [{ stages: [{ run: 'cat' }] }, { output: 1 }], /^input is required/],
    [
      'no output',
      [{ stages: [{ run: 'cat' }] }, { input: Readable.from([]) }],
      /^output is required/,
    ],
    [
      'an unknown option',
      [{ stages: [{ run: 'cat' }] }, { inptu: 1 } as never],
      /^unknown run option "inptu" \(did you mean "input"\?\); known: set, input, output,/,
    ],
    [
      'verbose without a reporter',
      [{ stages: [{ run: 'cat' }] }, { verbose: true }],
      /^verbose writes to the reporter/,
    ],
    [
      'a bad set',
      [{ stages: [{ run: 'cat' }] }, { set: 'A=1' as never }],
      /^set must be an object/,
    ],
    [
      'a set name that no variable can spell (it was taken)',
      [{ stages: [{ run: 'cat' }] }, { set: { 'A B': 'x' } }],
      /^set 'A B' is not a variable name \(letters, digits and _, not first a digit\)$/,
    ],
    ['a missing file', ['/nonexistent/pipeline.yaml', {}], /cannot read the config: no such file$/],
    [
      'a config that is not plain data (a BigInt)',
      [{ stages: [{ fan: { worker: 'cat', workers: 2n } }] }, { output: 1 }],
      /^config must be plain data, as JSON holds it: Do not know how to serialize a BigInt$/,
    ],
  ];
  it.each(refused)('%s is refused', async (_name, args, message) => {
    const error = await rejection(run(...args));
    expect(error.code).toBe('manifold.usage');
    expect(error.message).toMatch(message);
  });

  it('an AbortSignal stops every stage: nothing is left when it rejects with AbortError', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const input = new Readable({ read() {} });
    input.push('x\n');
    const running = run(
      {
        env: { MF_PIDS: dir },
        stages: [
          { run: [fixture('sig-cat')] },
          { fan: { worker: [fixture('sig-cat')], workers: 2, dispatch: 'broadcast' } },
        ],
      },
      { input, output: sink(), signal: controller.signal },
    );
    expect(await holdsWithin(() => pidsIn(dir).length === 3, 10_000)).toBe(true);
    const procs = procsOf(pidsIn(dir));
    controller.abort();
    const error = await rejection(running);
    expect(error.name).toBe('AbortError');
    expect(error.code).toBe('manifold.aborted');
    expect(await leftovers(procs, 10_000)).toEqual([]);
  });

  it("verbose lines go to the reporter, and nothing to the process's stdio", async () => {
    const result = await runApiScript(`
      import { Readable, Writable } from 'node:stream';
      const out = new Writable({ write(c, e, done) { done(); } });
      const lines = [];
      const reporter = { write: (text) => lines.push(text) };
      await run({ stages: [{ run: 'cat; echo quiet >&2' }, { fan: { worker: 'cat', merge: 'ordered' } }] },
        { input: Readable.from(['a\\n']), output: out, reporter, verbose: true });
      if (!/merge: ordered needs each output tied to its block/.test(lines.join(''))) process.exit(3);
      const failed = await run({ stages: [{ run: 'echo loud >&2; exit 1' }] },
        { input: Readable.from(['a\\n']), output: new Writable({ write(c, e, done) { done(); } }) }).catch((e) => e);
      if (failed.code !== 'manifold.failure' || failed.stderr[0] !== 'loud') process.exit(4);
    `);
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
