import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';

// Every usage error of a command line ends pointing at its command's help, as commander's own
// (`unknown option '--bogus' (see 'manifold fan --help')`) and the missing command did: an
// option's value refused by the options' resolution said no more than `-j, --workers must be
// a whole number from 1 to 4096 (got x)`. Through the real CLI, one option per resolution
// (the local fan, the queue's coordinator, the queue's worker, the SSH worker); the rest of
// each face's refusals are tables checked in-process (fan-numbers, queue-usage).

const cases: [string, string[], string][] = [
  ['a value (-j x)', ['fan', '-j', 'x', '--', 'cat'], 'manifold fan'],
  ['a size (--block x)', ['fan', '--block', 'x', '--', 'cat'], 'manifold fan'],
  [
    'two options together (--threads --host)',
    ['fan', '--threads', '--host', ':', '--', 'mf-map', 'r'],
    'manifold fan',
  ],
  ['a queue option without --queue', ['fan', '--job', 'j', '--', 'cat'], 'manifold fan'],
  ['the coordinator, a value', ['fan', '--queue', 'nats://h:1', '--ack-wait', 'x'], 'manifold fan'],
  [
    'the coordinator, a workers option',
    ['fan', '--queue', 'nats://h:1', '-j', '2'],
    'manifold fan',
  ],
  [
    'the queue worker, a value',
    ['worker', '--queue', 'nats://h:1', '-j', 'x', '--', 'cat'],
    'manifold worker',
  ],
  ['the SSH worker, a value', ['worker', '--stdio', '--heartbeat', 'x'], 'manifold worker'],
  ['a worker with neither --queue nor --stdio', ['worker', '--', 'cat'], 'manifold worker'],
];

describe.concurrent('usage errors end pointing at the help', () => {
  it.each(cases)('%s', async (_, args, command) => {
    const result = await run(manifold, args, '');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^manifold: [^\n]+\n$/);
    // Once, at the end.
    expect(result.stderr.endsWith(` (see '${command} --help')\n`), result.stderr).toBe(true);
    expect(result.stderr.split('--help').length).toBe(2);
  });
});
