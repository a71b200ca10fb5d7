import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeError } from '../../filters/index.js';
import { fanCommand, givenOptions } from '../../orchestrator/cli/fan.js';
import { resolveQueueFanCommandLine } from '../../orchestrator/cli/fan-queue.js';
import { checkConfig } from '../../orchestrator/config/check.js';
import { fan } from '../../orchestrator/index.js';
import { manifold, run } from '../helpers.js';
import { sink } from '../support/sink.js';

// What a queue's coordinator does not take is refused alike by its three faces, each naming the
// option as its user spells it: `manifold fan --queue` (`-j, --workers`), a config's fan stage
// with `queue:` (`workers`), the library's fan({ queue }) (`workers`), from one table: a list of
// each face's own would drift, sending `--threads` to `manifold worker --queue ... --threads`,
// which has none, taking `--host` and `--hosts-file` and running the job without them, or
// sending `tag` to the workers, whose output is not tagged. Checked in this process against
// what each face resolves with; one is run.

const url = 'nats://127.0.0.1:1';

/** What `manifold fan --queue URL words` says, as its edge says it; null when it is taken. */
function cliSays(words: string[]): string | null {
  const command = fanCommand(() => {});
  command.exitOverride().configureOutput({ outputError: () => {} });
  command.action((argv: string[], raw: Record<string, unknown>, self: Command) => {
    resolveQueueFanCommandLine(argv, givenOptions(raw, self), self);
  });
  try {
    command.parse(['--queue', url, ...words], { from: 'user' });
    return null;
  } catch (error) {
    return `manifold: ${describeError(error)}\n`;
  }
}

/** The problems a config whose one fan stage has `queue:` and `keys` has; null for none. */
function configSays(keys: Record<string, unknown>): string | null {
  const text = JSON.stringify({ stages: [{ name: 's', fan: { queue: url, ...keys } }] });
  try {
    checkConfig('c.json', {}, text, 'named');
    return null;
  } catch (error) {
    return describeError(error);
  }
}

/** What fan({ queue, ...options }) rejects with, before it reaches the queue. */
async function librarySays(options: Record<string, unknown>): Promise<string> {
  const io = { input: Readable.from([]), output: sink() };
  return fan({ queue: url, ...options } as never, io).then(
    () => 'taken',
    (error: unknown) => describeError(error),
  );
}

/** Each face's words, and the name it gives the option: command line, config, library. */
type Case = [string[], string, Record<string, unknown>, string, Record<string, unknown>, string];

const workers = (option: string) =>
  `it is the workers' (manifold worker --queue URL ${option}-- COMMAND, docs/queue.md)`;

/** The cases, and why each is refused: the same words on every face. */
const cases: [Case, string][] = [
  [
    [['-j', '2'], '-j, --workers', { workers: 2 }, 'workers', { workers: 2 }, 'workers'],
    workers('-j N '),
  ],
  [
    [
      ['--one-to-one'],
      '--one-to-one',
      { attribution: 'one-to-one' },
      'attribution: one-to-one',
      { oneToOne: true },
      'oneToOne',
    ],
    workers('--one-to-one '),
  ],
  [
    [
      ['--ok-status', '1'],
      '--ok-status',
      { 'ok-status': '1' },
      'ok-status',
      { okStatus: '1' },
      'okStatus',
    ],
    workers('--ok-status LIST '),
  ],
  [
    [
      ['--thread-heap', '64M'],
      '--thread-heap',
      { 'thread-heap': '64M' },
      'thread-heap',
      { threadHeap: '64M' },
      'threadHeap',
    ],
    "threads run in this process, and a queue's blocks run on its workers' machines",
  ],
  [
    [
      ['--dispatch', 'round-robin'],
      '--dispatch',
      { dispatch: 'round-robin' },
      'dispatch',
      { dispatch: 'round-robin' },
      'dispatch',
    ],
    "a queue's blocks go to whichever of its workers pulls them first",
  ],
  [
    [['--host', 'h'], '--host', { hosts: ['h'] }, 'hosts', { hosts: ['h'] }, 'hosts'],
    "a queue's workers are the machines that run manifold worker --queue, wherever they are",
  ],
  [
    [['--tag'], '--tag', { tag: true }, 'tag', { tag: true }, 'tag'],
    "a queue job's output is not tagged (a worker's --tag tags its processes' stderr)",
  ],
  [
    [
      ['--tagstring', 'x'],
      '--tagstring',
      { 'tag-string': 'x' },
      'tag-string',
      { tagString: 'x' },
      'tagString',
    ],
    "a queue job's output is not tagged (a worker's --tag tags its processes' stderr)",
  ],
  [
    [
      ['--merge', 'sorted'],
      '--merge sorted',
      { merge: 'sorted' },
      'merge sorted',
      { merge: 'sorted' },
      'merge sorted',
    ],
    'use ready or ordered',
  ],
  [
    [
      ['--group-by', 'field:1'],
      '--group-by',
      { 'group-by': 'field:1' },
      'group-by',
      { groupBy: 'field:1' },
      'groupBy',
    ],
    "a queue's blocks are cut by size, to fit its messages",
  ],
  [
    [['--nice', '5'], '--nice', { nice: 5 }, 'nice', { nice: 5 }, 'nice'],
    "its workers' processes run on their machines, at the niceness of manifold worker there",
  ],
];

describe('what a queue’s coordinator refuses, said alike by its three faces', () => {
  it.each(cases)('%j', async ([cli, cliName, config, configName, library, libraryName], why) => {
    expect({
      cli: cliSays(cli),
      config: configSays(config)?.replace(/^c\.json:\d+:\d+: /, ''),
      library: await librarySays(library),
    }).toEqual({
      cli: `manifold: ${cliName} is not for --queue: ${why} (see 'manifold fan --help')\n`,
      config: `${configName} is not for queue: ${why}`,
      library: `${libraryName} is not for queue: ${why}`,
    });
  });

  it("the library's command and env, and a config's worker, are the workers'", async () => {
    expect(await librarySays({ command: ['cat'] })).toBe(
      `command is not for queue: ${workers('')}`,
    );
    expect(await librarySays({ env: { A: '1' } })).toBe(
      "env is not for queue: its workers' commands run in the environment of manifold worker, on their machines",
    );
    expect(configSays({ worker: ['cat'] })).toMatch(/^c\.json:1:\d+: worker is not for queue: /);
  });

  it('manifold fan --queue URL --hosts-file FILE, run: one line, exit 2, nothing reached', async () => {
    const result = await run(manifold, ['fan', '--queue', url, '--hosts-file', 'hosts.txt'], '');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: `manifold: --hosts-file is not for --queue: a queue's workers are the machines that run manifold worker --queue, wherever they are (see 'manifold fan --help')\n`,
    });
  });
});
