import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, ManifoldError, RunError } from '../../orchestrator/index.js';
import { fixture } from '../helpers.js';
import { linesOf, numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { sink } from '../support/sink.js';
import { tempDir, writeConfig } from '../support/temp.js';

// Thread workers in the two other forms a fan takes: a config file's `worker: { threads: true }`
// and the library's `threads` option, with what the command line does.

const input = numbered(1, 5000, 'line ');

const fanStage = (worker: object, extra: object = {}) => ({
  stages: [{ fan: { workers: 2, block: '1K', merge: 'ordered', worker, ...extra } }],
});

describe('a config: worker { threads: true }', () => {
  it('runs a filter module as threads', async () => {
    const config = writeConfig(
      tempDir(),
      fanStage({ filter: fixture('expand.js'), threads: true }, { 'thread-heap': '256M' }),
    );
    const result = await runConfig(config, input);
    const expected = linesOf(input).flatMap((line) => [line, line, String(line.length)]);
    expect({ ...outcome(result), stdout: '' }).toEqual({ exitCode: 0, stderr: '', stdout: '' });
    expect(linesOf(result.stdout)).toEqual(expected);
  });

  it('runs a package binary by name (run: [mf-map, ...]) as threads', async () => {
    const config = writeConfig(
      tempDir(),
      fanStage({ run: ['mf-map', 'r.toUpperCase()'], threads: true }),
    );
    const result = await runConfig(config, input, { env: { PATH: '/usr/bin:/bin' } });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: input.toUpperCase() });
  });

  it('refuses a worker that is no SDK filter, at its key', async () => {
    const config = writeConfig(tempDir(), fanStage({ run: 'awk 1', threads: true }));
    const result = await runConfig(config, input);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /pipeline\.yaml:\d+:\d+: threads runs an SDK filter: .* not a shell command line/,
    );
  });
});

describe('the library: threads: true', () => {
  it('runs a filter module as threads; the summary names each thread', async () => {
    const output = sink();
    const summary = await fan(
      {
        command: ['mf-map', 'r.toUpperCase()'],
        workers: 2,
        block: '1K',
        merge: 'ordered',
        threads: true,
      },
      { input: Readable.from([input]), output },
    );
    expect(output.text()).toBe(input.toUpperCase());
    expect(summary.totals.recordsIn).toBe(5000);
    for (const worker of summary.workers) {
      expect(worker.pids).toEqual([]);
      expect(worker.exits).toEqual([{ thread: expect.any(Number), exitCode: 0, signal: null }]);
    }
  });

  it('a record that throws rejects with the failure and the filter’s own line, by worker', async () => {
    const error = await fan(
      {
        command: [fixture('thread-fail.js')],
        workers: 1,
        threads: true,
        env: { FLAKY_DIR: tempDir(), FLAKY_ALWAYS: '1' },
      },
      { input: Readable.from([`${numbered(1, 10)}!bad\n`]), output: sink() },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunError);
    const { failures, stderr } = error as RunError;
    expect(failures).toEqual([
      expect.stringMatching(
        /^worker 1 \(thread \d+: .*thread-fail\.js .*\) exited with status 1 on block 1 \(records 1-11\)$/,
      ),
    ]);
    expect(stderr).toEqual(['worker 1: thread-fail: stdin:11: Error: bad record']);
  });

  it('threadHeap without threads is refused, named as the library spells it', async () => {
    const error = await fan(
      { command: ['cat'], threadHeap: '64M' },
      { input: Readable.from(['a\n']), output: sink() },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifoldError);
    expect((error as ManifoldError).message).toBe(
      "threadHeap caps each thread's heap: it needs threads",
    );
  });
});
