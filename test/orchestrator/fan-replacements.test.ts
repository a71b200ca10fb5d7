import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { bin, manifold, run } from '../helpers.js';
import { fan, OK, ok } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// GNU parallel's replacement strings in the workers' command: {#} the block's number, {%} the
// worker's slot, as `parallel --pipe -N 3 'echo {#} {%}'` gives them; each the same number as
// the worker's MANIFOLD_BLOCK and MANIFOLD_WORKER. Inputs are `seq`'s lines, 3 a block (-N 3).

/** `{#} {%} $MANIFOLD_BLOCK $MANIFOLD_WORKER` and the block's line count, per block, ordered. */
const ECHO = 'echo {#} {%} $MANIFOLD_BLOCK $MANIFOLD_WORKER $(wc -l)';

/** The lines ECHO's runs write: each block's number twice, a slot twice, its line count. */
function checkEchoed(stdout: Buffer, blocks: number[], lines: number[]): void {
  const rows = stdout.toString().split('\n').slice(0, -1);
  expect(rows.map((row) => row.split(' ')[0])).toEqual(blocks.map(String));
  for (const [i, row] of rows.entries()) {
    const [block, slot, envBlock, envSlot, count] = row.split(' ');
    expect([block, envBlock, count]).toEqual([String(blocks[i]), String(blocks[i]), `${lines[i]}`]);
    expect(slot).toBe(envSlot);
    expect(['1', '2']).toContain(slot);
  }
}

describe('{#} and {%} in the command of a process per block', () => {
  it.for([
    ['--per-block, the command run directly', ['--per-block', '--', 'sh', '-c', ECHO]],
    ['--per-block --shell', ['--per-block', '--shell', '--', ECHO]],
    ['--cat', ['--cat', '--', 'sh', '-c', ECHO.replace('wc -l', 'wc -l < "$0"'), '{}']],
    ['--fifo --shell', ['--fifo', '--shell', '--', ECHO.replace('wc -l', 'wc -l < {}')]],
    ['--retries (per block, chosen)', ['--retries', '1', '--shell', '--', ECHO]],
  ] as [string, string[]][])(
    '%s: the numbers of MANIFOLD_BLOCK and MANIFOLD_WORKER',
    { timeout: 20_000 },
    async ([, args]) => {
      const result = await fan(
        ['-j', '2', '-N', '3', '--merge', 'ordered', ...args],
        numbered(1, 10),
      );
      expect(ok(result)).toEqual(OK);
      checkEchoed(result.stdout, [1, 2, 3, 4], [3, 3, 3, 1]);
    },
  );

  it('within a word: parallel --pipe -N 3 "cat > part-{#}.txt", each part file exact', async () => {
    const dir = tempDir('manifold-replace-');
    const result = await fan(
      ['-j', '2', '-N', '3', '--per-block', '--', 'dd', `of=${dir}/part-{#}.txt`, 'status=none'],
      numbered(1, 10),
    );
    expect(ok(result)).toEqual(OK);
    expect(readdirSync(dir).sort()).toEqual([
      'part-1.txt',
      'part-2.txt',
      'part-3.txt',
      'part-4.txt',
    ]);
    for (const k of [1, 2, 3, 4]) {
      expect(readFileSync(join(dir, `part-${k}.txt`), 'utf8')).toBe(
        numbered(3 * k - 2, Math.min(3 * k, 10)),
      );
    }
  }, 20_000);

  it('a block that runs again keeps its {#}, as parallel --retries gives it', async () => {
    const dir = tempDir('manifold-replace-');
    // Each block's first try fails, leaving a mark named by its {#}; its second finds the mark.
    const script = `if [ ! -e ${dir}/tried-{#} ]; then touch ${dir}/tried-{#}; exit 1; fi; ${ECHO}`;
    const result = await fan(
      ['-j', '2', '-N', '3', '--merge', 'ordered', '--retries', '1', '--shell', '--', script],
      numbered(1, 10),
    );
    expect(ok(result)).toEqual(OK);
    checkEchoed(result.stdout, [1, 2, 3, 4], [3, 3, 3, 1]);
    expect(readdirSync(dir).sort()).toEqual(['tried-1', 'tried-2', 'tried-3', 'tried-4']);
  }, 20_000);

  it("a block's file whose path holds {%} or {#} is given as it is: one pass", async () => {
    const tmp = join(tempDir('manifold-replace-'), 'a {%} {#} b');
    mkdirSync(tmp);
    const result = await fan(
      ['-N', '3', '--cat', '--merge', 'ordered', '--shell', '--', 'echo {#} {}'],
      numbered(1, 4),
      { env: { TMPDIR: tmp } },
    );
    expect(ok(result)).toEqual(OK);
    const rows = result.stdout.toString().split('\n').slice(0, -1);
    expect(rows.map((row) => row.replace(/mf-block-[0-9a-f]{12}$/, 'FILE'))).toEqual([
      `1 ${tmp}/FILE`,
      `2 ${tmp}/FILE`,
    ]);
  }, 20_000);

  it('{} without --cat or --fifo stays as written (jq "{}"), where parallel --pipe makes it empty', async () => {
    const result = await fan(
      ['-N', '3', '--per-block', '--', 'echo', '{}', 'x{}y', '{#}'],
      numbered(1, 3),
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('{} x{}y 1\n');
  }, 20_000);
});

describe('{%} where a worker takes many blocks', () => {
  it.for([
    ['persistent processes', []],
    ['--one-to-one', ['--one-to-one']],
  ] as [string, string[]][])(
    "%s: each record after its worker's slot",
    { timeout: 20_000 },
    async ([, way]) => {
      const result = await fan(
        ['-j', '3', '--dispatch', 'round-robin', '-N', '1', ...way, '--', 'sed', 's/^/{%} /'],
        numbered(1, 9),
      );
      expect(ok(result)).toEqual(OK);
      const rows = result.stdout
        .toString()
        .split('\n')
        .slice(0, -1)
        .sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));
      expect(rows).toEqual(Array.from({ length: 9 }, (_, i) => `${(i % 3) + 1} ${i + 1}`));
    },
  );

  it('--threads: a filter thread is given its slot in its arguments', async () => {
    const result = await fan(
      [
        '-j',
        '2',
        '--threads',
        '--dispatch',
        'round-robin',
        '-N',
        '1',
        '--',
        bin('mf-map'),
        '"{%}:" + r',
      ],
      numbered(1, 6),
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString().split('\n').slice(0, -1).sort()).toEqual([
      '1:1',
      '1:3',
      '1:5',
      '2:2',
      '2:4',
      '2:6',
    ]);
  }, 20_000);
});

describe('{#} where a worker takes many blocks: refused in one line, exit 2', () => {
  const stays = 'a worker that stays takes many: run a process per block with --per-block';
  it.for([
    [[], stays],
    [
      ['--one-to-one'],
      'a worker of --one-to-one takes many: run a process per block with --per-block',
    ],
    [
      ['--protocol', 'manifold'],
      'a worker of --protocol takes many: run a process per block with --per-block',
    ],
    [
      ['--threads'],
      'a thread (--threads) takes many: leave out --threads and run a process per block with --per-block',
    ],
  ] as [string[], string][])('%j', { timeout: 20_000 }, async ([way, why]) => {
    const result = await fan([...way, '--', bin('mf-map'), '"{#}" + r'], numbered(1, 3));
    expect(result.exitCode).toBe(2);
    expect(result.stdout.toString()).toBe('');
    expect(result.stderr).toBe(
      `manifold: {#} in the workers' command is the number of the one block its process runs, and ${why} (as parallel --pipe does), or leave {#} out (see 'manifold fan --help')\n`,
    );
  });

  it('manifold worker --queue --one-to-one: refused before it connects', async () => {
    const result = await run(manifold, [
      'worker',
      '--queue',
      'nats://127.0.0.1:1',
      '--one-to-one',
      '--',
      'echo',
      '{#}',
    ]);
    expect([result.exitCode, result.stderr]).toEqual([
      2,
      "manifold: {#} in the command is the number of the one block its process runs, and a worker of --one-to-one takes many: run a process per block with --per-block (as parallel --pipe does), or leave {#} out (see 'manifold worker --help')\n",
    ]);
  }, 20_000);

  it('in a config, named by its key and place; by the library, named by its option', async () => {
    const dir = tempDir('manifold-replace-');
    const config = writeConfig(dir, {
      input: '/dev/null',
      stages: [{ name: 's', fan: { attribution: 'one-to-one', worker: 'echo {#}' } }],
    });
    const refused = await run(manifold, ['run', config]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^${config}:\\d+:\\d+: \\{#\\} in worker is the number of the one block its process runs, and a worker of attribution: one-to-one takes many: run a process per block with attribution: per-block \\(as parallel --pipe does\\), or leave \\{#\\} out\\n$`,
      ),
    );
    await expect(
      fanApi(
        { command: ['echo', '{#}'] },
        { input: Readable.from([]), output: new Writable({ write: (_c, _e, done) => done() }) },
      ),
    ).rejects.toThrow(
      '{#} in command is the number of the one block its process runs, and a worker that stays takes many: run a process per block with perBlock (as parallel --pipe does), or leave {#} out',
    );
  }, 20_000);

  it('a config and the library: {#} and {%} per block', async () => {
    const dir = tempDir('manifold-replace-');
    const config = writeConfig(dir, {
      input: fileWith('manifold-replace-', numbered(1, 10)),
      stages: [
        {
          name: 's',
          fan: { workers: 2, records: 3, merge: 'ordered', attribution: 'per-block', worker: ECHO },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect(ok(fromConfig)).toEqual(OK);
    checkEchoed(fromConfig.stdout, [1, 2, 3, 4], [3, 3, 3, 1]);
    const chunks: Buffer[] = [];
    await fanApi(
      { command: ['sh', '-c', ECHO], workers: 2, records: 3, merge: 'ordered', perBlock: true },
      {
        input: Readable.from([numbered(1, 10)]),
        output: new Writable({
          write: (chunk: Buffer, _e, done) => {
            chunks.push(chunk);
            done();
          },
        }),
      },
    );
    checkEchoed(Buffer.concat(chunks), [1, 2, 3, 4], [3, 3, 3, 1]);
  }, 20_000);
});
