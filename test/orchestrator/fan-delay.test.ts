import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { fan, ok } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { gaps, starts } from '../support/start-times.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// --delay: a block starts at least this long after the one before, as `parallel --delay`
// between jobs' starts. Each block's start is its --joblog row's Starttime, in milliseconds:
// every two starts are checked to be at least the delay apart (a lower bound only: a loaded
// machine may start them later, never sooner).

describe.concurrent('manifold fan --delay', () => {
  it.each([
    ['per-block processes, seconds', ['--per-block', '--delay', '0.15']],
    ['per-block processes, with a unit', ['--per-block', '--delay', '150ms']],
    ['persistent workers (--one-to-one), each block sent', ['--one-to-one', '--delay', '150ms']],
    ['threads, each block sent', ['--threads', '--delay', '150ms']],
  ])(
    '%s: every two blocks start at least the delay apart',
    async (_name, args) => {
      const log = join(tempDir('manifold-fan-delay-'), 'jobs.tsv');
      const threads = args.includes('--threads');
      // 6 blocks of 64 records over 3 workers: without a delay they start together.
      const command = threads ? ['mf-map', 'r'] : ['cat'];
      const result = await fan(
        ['-j', '3', '-N', '64', ...args, '--joblog', log, '--', ...command],
        records(1, 384),
      );
      expect(ok(result)).toEqual({ exitCode: 0, stderr: '' });
      expect(result.stdout.toString().split('\n').sort()).toEqual(
        records(1, 384).split('\n').sort(),
      );
      const times = starts(readFileSync(log, 'utf8'));
      expect(times.length).toBe(6);
      expect(gaps(times).filter((gap) => gap < 150)).toEqual([]);
    },
    30_000,
  );

  it('a retried block is a start too: it waits its turn', async () => {
    const log = join(tempDir('manifold-fan-delay-'), 'jobs.tsv');
    const dir = tempDir('manifold-fan-delay-');
    // Each block fails on its first try (no mark yet), and passes on its second.
    const script = `m=${dir}/$MANIFOLD_BLOCK; if [ -e "$m" ]; then cat; else touch "$m"; exit 1; fi`;
    const result = await fan(
      [
        '-j',
        '2',
        '-N',
        '10',
        '--retries',
        '1',
        '--delay',
        '100ms',
        '--joblog',
        log,
        '--shell',
      ].concat(['--', script]),
      records(1, 30),
    );
    expect(ok(result)).toEqual({ exitCode: 0, stderr: '' });
    // Three blocks, each tried twice: the rows are the last tries, each its own start.
    const rows = readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(1);
    expect(rows.map((row) => row.split('\t')[11])).toEqual(['2', '2', '2']);
    expect(gaps(starts(readFileSync(log, 'utf8'))).filter((gap) => gap < 100)).toEqual([]);
  }, 30_000);

  it.each([
    ['x', 'x'],
    ['-1', '-1'],
    ['1y', '1y'],
  ])('refuses --delay %s in one line, exit 2, before any worker starts', async (value, shown) => {
    const result = await fan(['--delay', value, '--', 'sh', '-c', 'echo started'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stdout.toString()).toBe('');
    expect(result.stderr).toBe(
      `manifold: --delay must be a duration from 0 to 24 days: seconds (30, 2.5) or with a unit (300ms, 30s, 5m, 1h) (got ${shown}) (see 'manifold fan --help')\n`,
    );
  });

  it('--delay 0 is no delay', async () => {
    const result = await fan(['--delay', '0', '-N', '1', '--', 'cat'], records(1, 3));
    expect(ok(result)).toEqual({ exitCode: 0, stderr: '' });
    expect(result.stdout.toString().split('\n').sort()).toEqual(records(1, 3).split('\n').sort());
  });

  it('a config says delay: 150ms, and the library delay: 0.15', async () => {
    const dir = tempDir('manifold-fan-delay-config-');
    const log = join(dir, 'config.tsv');
    const config = writeConfig(dir, {
      input: fileWith('delay-', records(1, 4)),
      stages: [
        {
          name: 'slow',
          fan: { delay: '150ms', records: 1, joblog: log, workers: 4, worker: 'cat' },
        },
      ],
    });
    const fromConfig = await run(manifold, ['run', config]);
    expect([fromConfig.exitCode, fromConfig.stderr]).toEqual([0, '']);
    expect(gaps(starts(readFileSync(log, 'utf8'))).filter((gap) => gap < 150)).toEqual([]);

    const bad = writeConfig(
      dir,
      {
        stages: [{ name: 'slow', fan: { delay: 'soon', worker: 'cat' } }],
      },
      'bad.yaml',
    );
    const refused = await run(manifold, ['run', bad], 'a\n');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('delay must be a duration from 0 to 24 days');

    const libLog = join(dir, 'library.tsv');
    await fanApi(
      { command: ['cat'], delay: 0.15, records: 1, workers: 4, joblog: libLog },
      {
        input: Readable.from([records(1, 4)]),
        output: new Writable({ write: (_c, _e, done) => done() }),
      },
    );
    expect(gaps(starts(readFileSync(libLog, 'utf8'))).filter((gap) => gap < 150)).toEqual([]);
    expect(starts(readFileSync(libLog, 'utf8')).length).toBe(4);
  }, 30_000);

  it('is refused with --queue, whose workers start blocks as they take them (command line, config, library)', async () => {
    const said =
      'is not for --queue: its workers start blocks as they take them, on their machines';
    const cli = await fan(['--queue', 'nats://127.0.0.1:1', '--delay', '1s'], 'a\n');
    expect([cli.exitCode, cli.stderr]).toEqual([
      2,
      `manifold: --delay ${said} (see 'manifold fan --help')\n`,
    ]);
    const dir = tempDir('manifold-fan-delay-queue-');
    const config = writeConfig(dir, {
      stages: [{ name: 's', fan: { queue: 'nats://127.0.0.1:1', delay: '1s' } }],
    });
    const fromConfig = await run(manifold, ['run', config], 'a\n');
    expect([fromConfig.exitCode, fromConfig.stderr]).toEqual([
      2,
      `${config}:5:14: delay ${said.replace('--queue', 'queue')}\n`,
    ]);
    await expect(
      fanApi(
        { queue: 'nats://127.0.0.1:1', delay: 1 },
        {
          input: Readable.from(['a\n']),
          output: new Writable({ write: (_c, _e, done) => done() }),
        },
      ),
    ).rejects.toThrow(`delay ${said.replace('--queue', 'queue')}`);
  });
});
