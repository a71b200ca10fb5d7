import type { Command } from 'commander';
import { describe, it } from 'vitest';
import { describeError, exitCodeOf } from '../../filters/index.js';
import { fanCommand, givenOptions } from '../../orchestrator/cli/fan.js';
import { resolveQueueFanCommandLine } from '../../orchestrator/cli/fan-queue.js';
import { resolvingLine } from '../../orchestrator/cli/usage-help.js';
import { resolveStdioWorkerCommandLine, workerCommand } from '../../orchestrator/cli/worker.js';
import { resolveQueueWorkerCommandLine, WORKER } from '../../orchestrator/cli/worker-queue.js';
import { refuseOtherUse } from '../../orchestrator/cli/worker-uses.js';
import { manifold, run } from '../helpers.js';
import { oneLine } from '../support/lines.js';
import { hasStackTrace } from '../support/spawn.js';

// The queue's usage errors, both sides: one line, exit 2, ending at the command's help. Checked
// in this process against the functions `manifold fan --queue` and `manifold worker` resolve
// their command lines with; one case of each face is also run as manifold itself, which must
// say the very same line. (Each was a process: some 10 s of CI's two cores for usage errors.)

const url = 'nats://h:1';

/** The words, what the line says, and the command whose help it points at. */
const cases: [string[], RegExp][] = [
  // The coordinator.
  [
    ['fan', '--queue', 'http://x:1'],
    /--queue http:\/\/x:1 is not an address: give nats:\/\/host:port/,
  ],
  [['fan', '--queue', url, '--job', 'a.b'], /--job a\.b is not a job name/],
  // The address is said before the command given with it (was `--queue takes no command: ...
  // (manifold worker --queue '' -- cat)`, a line to run that fails likewise), or -j.
  [
    ['fan', '--queue', '', '--', 'cat'],
    /^manifold: --queue '' is not an address: give nats:\/\/host:port \(see/,
  ],
  [
    ['fan', '--queue', 'http://x:1', '--', 'cat'],
    /^manifold: --queue http:\/\/x:1 is not an address: give nats:\/\/host:port \(see/,
  ],
  [['fan', '--queue', '', '-j', '2'], /^manifold: --queue '' is not an address/],
  [['fan', '--queue', url, '--', 'cat'], /--queue takes no command: each worker runs its own/],
  // A user's password or token is never said (they were, in these lines: QA).
  [
    ['fan', '--queue', 'nats://alice:secret@h:1/x'],
    /^manifold: --queue nats:\/\/h:1\/x is not an address: give nats:\/\/host:port \(see/,
  ],
  [
    ['fan', '--queue', 'nats://alice:secret@h:1', '--', 'cat'],
    /^manifold: --queue takes no command: each worker runs its own \(manifold worker --queue nats:\/\/h:1 -- cat\) \(see/,
  ],
  [
    ['worker', '--queue', 'secret@h:1/x', '--', 'cat'],
    /^manifold: --queue h:1\/x is not an address/,
  ],
  // The line to run instead, quoted as it pastes: was `--queue nats://h :1 -- grep a b`.
  [
    ['fan', '--queue', 'nats://h:1', '--', 'grep', 'a\nb c'],
    /^manifold: --queue takes no command: each worker runs its own \(manifold worker --queue nats:\/\/h:1 -- grep \$'a\\nb c'\) \(see/,
  ],
  // The URL parser dropped a newline or a tab quietly, and took a query; port 0 was a
  // connection refused, exit 1 (QA).
  [
    ['fan', '--queue', 'nats://h:14\n222'],
    /^manifold: --queue \$'nats:\/\/h:14\\n222' is not an address/,
  ],
  [
    ['fan', '--queue', 'nats://h:4222?x=1'],
    /^manifold: --queue 'nats:\/\/h:4222\?x=1' is not an address/,
  ],
  [['fan', '--queue', 'nats://h:0'], /^manifold: --queue nats:\/\/h:0 has no such port \(0\)/],
  [['fan', '--queue', url, '--per-block'], /--per-block is not for --queue: it is the workers'/],
  [
    ['fan', '--queue', url, '-j', '2'],
    /-j, --workers is not for --queue: it is the workers' \(manifold worker --queue URL -j N -- COMMAND/,
  ],
  [['fan', '--queue', url, '--merge', 'sorted'], /--merge sorted is not for --queue/],
  // Not sent to the workers' --tag, which tags stderr alone: the output would stay untagged.
  [
    ['fan', '--queue', url, '--tag'],
    /^manifold: --tag is not for --queue: a queue job's output is not tagged \(a worker's --tag tags its processes' stderr\) \(see/,
  ],
  // Shorter than its workers' confirmations: blocks taken from workers still at them.
  [['fan', '--queue', url, '--ack-wait', '300ms'], /--ack-wait must be at least 1s/],
  [['fan', '--queue', url, '--ack-wait', 'x'], /--ack-wait must be a duration .* \(got x\)/],
  [
    ['fan', '--queue', url, '--queue-timeout', 'x'],
    /--queue-timeout must be a duration .* \(got x\)/,
  ],
  [['fan', '--queue', url, '--block', 'x'], /--block x is not a size/],
  [['fan', '--queue', url, '--retries', 'x'], /--retries must be a whole number .* \(got x\)/],
  // The queue's worker.
  [['worker', '--queue', url], /missing the command/],
  // The resolver reads a number as an IPv4 address: 127.1 is 127.0.0.1, 3 is 0.0.0.3.
  [
    ['worker', '--queue', 'nats://127.1:4222', '--', 'cat'],
    /^manifold: --queue nats:\/\/127\.1:4222 is not an address: a host name is never a number \('127\.1' is read as the address 127\.0\.0\.1; write an address as a\.b\.c\.d\) \(see/,
  ],
  [
    ['worker', '--queue', url, '-j', 'x', '--', 'cat'],
    /-j, --workers must be a whole number .* \(got x\)/,
  ],
  [
    ['worker', '--queue', url, '-j', '0', '--', 'cat'],
    /-j, --workers 0 \(GNU parallel's "as many as can run"\) has no meaning for a fan/,
  ],
  [['worker', '--queue', url, '--job', 'a.b', '--', 'cat'], /--job a\.b is not a job name/],
  [
    ['worker', '--queue', url, '--one-to-one', '--per-block', '--', 'cat'],
    /choose one of --per-block, --one-to-one and --protocol/,
  ],
  [['worker', '--queue', url, '--protocol', 'x', '--', 'cat'], /--protocol x is unknown/],
  [
    ['worker', '--queue', url, '--protocol', 'manifold', '--shell', '--', 'cat'],
    /--protocol needs a command run directly/,
  ],
  [
    ['worker', '--queue', url, '--ok-status', 'x', '--', 'cat'],
    /--ok-status must be exit statuses/,
  ],
  [
    ['worker', '--queue', url, '--queue-timeout', 'x', '--', 'cat'],
    /--queue-timeout must be a duration/,
  ],
  // Its command is checked as a fan's (commandOf), at the start: taken, the blanks would wait
  // for the queue to run nothing, and the empty program be said as not found, exit 127.
  [
    ['worker', '--queue', url, '--shell', '--', ' '],
    /^manifold: the command is a command line of blanks: it runs nothing \(see/,
  ],
  [
    ['worker', '--queue', url, '--', '', 'cat'],
    /^manifold: the command has an empty program \(its first word\) \(see/,
  ],
  // As a fan's, and a config's: refused at the start, not each block failed with the shell's line.
  [
    ['worker', '--queue', url, '--shell', '--', "sort '"],
    /^manifold: \/bin\/sh cannot parse the command: line 1: Syntax error: Unterminated quoted string \(see/,
  ],
  [
    ['worker', '--queue', url, '--connect-timeout', '-1', '--', 'cat'],
    /^manifold: --connect-timeout must be 0 \(no wait\) or a duration .* \(got -1\)/,
  ],
  [
    ['worker', '--queue', url, '--start-backoff', '5 s', '--', 'cat'],
    /^manifold: --start-backoff must be 0 \(at once\) or a duration .* \(got '5 s'\) \(see/,
  ],
  [
    ['worker', '--stdio', '--start-backoff', '0'],
    /^manifold: --start-backoff is not for --stdio: it is for --queue, a worker of a queue's job \(see/,
  ],
  // A worker of neither kind, and SSH's.
  [['worker', '--', 'cat'], /manifold worker needs --queue <url> -- <command>, or --stdio/],
  [['worker', '--stdio', 'cat'], /--stdio takes no command/],
  [['worker', '--stdio', '--heartbeat', 'x'], /--heartbeat must be a whole number of milliseconds/],
  // An option of the other use: refused, not taken to no effect.
  [
    ['worker', '--queue', url, '--heartbeat', '5s', '--', 'cat'],
    /^manifold: --heartbeat is not for --queue: it is for --stdio, a host's side of manifold fan --host \(see/,
  ],
  [
    ['worker', '--queue', url, '--host-timeout', '5000', '--', 'cat'],
    /^manifold: --host-timeout is not for --queue: it is for --stdio/,
  ],
  [
    ['worker', '--queue', url, '--stdio', '--', 'cat'],
    /^manifold: choose one of --queue and --stdio: two uses of manifold worker \(see/,
  ],
  [
    ['worker', '--stdio', '--connect-timeout', '3s'],
    /^manifold: --connect-timeout is not for --stdio: it is for --queue, a worker of a queue's job \(see/,
  ],
  [
    ['worker', '--stdio', '-j', '2'],
    /^manifold: -j, --workers is not for --stdio: it is for --queue/,
  ],
  [
    ['worker', '--stdio', '--job', 'logs'],
    /^manifold: --job is not for --stdio: it is for --queue/,
  ],
  [['worker', '--stdio', '--shell'], /^manifold: --shell is not for --stdio: it is for --queue/],
  [
    ['worker', '--probe', '--verbose'],
    /^manifold: --verbose is not for --probe: it is for --queue/,
  ],
  [['worker', '--receive', '--tag'], /^manifold: --tag is not for --receive: it is for --queue/],
];

/**
 * What `manifold <args>` says, and its status, when its command line is refused, found in this
 * process by the functions the CLI resolves it with (cli/fan-queue.ts, cli/worker*.ts), said
 * as the CLI's edge says it; null when it is not refused.
 */
function refusal(args: string[]): { exitCode: number; stderr: string } | null {
  const [face, ...words] = args;
  const command = face === 'fan' ? fanCommand(() => {}) : workerCommand(() => {});
  command.exitOverride().configureOutput({ outputError: () => {} });
  command.action((argv: string[], raw: Record<string, unknown>, self: Command) => {
    if (face === 'worker') resolvingLine(WORKER, () => refuseOtherUse(raw, self));
    if (face === 'fan') resolveQueueFanCommandLine(argv, givenOptions(raw, self), self);
    else if (raw.queue !== undefined) resolveQueueWorkerCommandLine(argv, raw);
    else resolveStdioWorkerCommandLine(argv, raw);
  });
  try {
    command.parse(words, { from: 'user' });
    return null;
  } catch (error) {
    return { exitCode: exitCodeOf(error), stderr: `manifold: ${describeError(error)}\n` };
  }
}

const helpOf = (args: string[]) => ` (see 'manifold ${args[0]} --help')\n`;

describe('the queue’s usage errors, resolved', () => {
  it.for(cases)('%j', ([args, message], { expect }) => {
    const said = refusal(args);
    expect(said?.exitCode).toBe(2);
    expect(said!.stderr).toMatch(oneLine);
    expect(said!.stderr).toMatch(message);
    expect(said!.stderr.endsWith(helpOf(args))).toBe(true);
  });
});

/**
 * One case of each face: the coordinator, the queue's worker, a worker of neither kind; and an
 * option of the other use, each way.
 */
const spawned = [
  ['fan', '--queue', 'http://x:1'],
  ['worker', '--queue', url, '-j', 'x', '--', 'cat'],
  ['worker', '--queue', url, '--shell', '--', ' '],
  ['worker', '--', 'cat'],
  ['worker', '--queue', url, '--heartbeat', '5s', '--', 'cat'],
  ['worker', '--stdio', '--connect-timeout', '3s'],
].map((args) => cases.find(([words]) => words.join(' ') === args.join(' '))!);

describe.concurrent('the queue’s usage errors, run', () => {
  it.for(spawned)('%j: manifold says what the resolution does', async ([args], { expect }) => {
    const result = await run(manifold, args, 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(refusal(args)?.stderr);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stdout.length).toBe(0);
  });
});

// A user's password or token in --queue was said in full by these lines (QA).
describe.concurrent('a bad --queue with credentials', () => {
  it.for([
    [
      ['fan', '--queue', 'nats://alice:secret@h:1/x'],
      "manifold: --queue nats://h:1/x is not an address: give nats://host:port (see 'manifold fan --help')",
    ],
    [
      ['queue', 'status', '--queue', 'nats://alice:secret@h:99999'],
      'manifold: --queue nats://h:99999 is not an address: give nats://host:port',
    ],
    [
      ['queue', 'rm', '--queue', 'secret@h:99999', '--job', 'x'],
      'manifold: --queue h:99999 is not an address: give nats://host:port',
    ],
  ] as const)('%j: says the address without them, exit 2', async ([args, line], { expect }) => {
    const result = await run(manifold, [...args], 'a\n');
    expect([result.exitCode, result.stderr]).toEqual([2, `${line}\n`]);
  });
});
