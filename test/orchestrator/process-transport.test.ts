import { describe, expect, it } from 'vitest';
import { processKind } from '../../dist/orchestrator/workers/process/kind.js';
import type {
  StopReason,
  Transport,
  TransportOutcome,
} from '../../dist/orchestrator/workers/transport.js';

// The local-process transport on its own, over real processes: bytes in and out, how each
// ended as a person reads it, its description for messages, the slot in its environment.

interface Opened {
  transport: Transport;
  /** Resolves on its first output: it is running. */
  started: Promise<void>;
  output: Promise<string>;
  outcome: Promise<TransportOutcome>;
}

/** Opens an instance of `sh -c script` for slot 2 of 3, collecting its output and outcome. */
function open(script: string, argv = [script]): Opened {
  const factory = processKind.forSlot({
    slot: 2,
    workers: 3,
    command: { argv, shell: argv.length === 1 },
    tag: false,
  });
  const chunks: Buffer[] = [];
  let transport!: Transport;
  let begun = () => {};
  const started = new Promise<void>((resolve) => {
    begun = resolve;
  });
  const outcome = new Promise<TransportOutcome>((resolve) => {
    const output = (chunk: Buffer) => {
      chunks.push(chunk);
      begun();
    };
    transport = factory.open({ output, end: resolve });
  });
  const output = outcome.then(() => Buffer.concat(chunks).toString());
  return { transport, started, outcome, output };
}

describe('the process transport', () => {
  it('carries bytes both ways and says it ended well, with its pid, status and signal', async () => {
    const { transport, output, outcome } = open('tr a-z A-Z');
    let taken = false;
    transport.send([Buffer.from('abc\n'), Buffer.from('de\n')], () => {
      taken = true;
    });
    transport.closeInput();
    expect(await output).toBe('ABC\nDE\n');
    expect(taken).toBe(true);
    const end = await outcome;
    expect(end).toEqual({
      kind: 'ok',
      reason: 'exited with status 0',
      details: { pid: expect.any(Number), exitCode: 0, signal: null },
    });
    expect(transport.describe()).toBe(
      `worker 2 (pid ${end.kind === 'ok' ? end.details?.pid : 0}: tr a-z A-Z)`,
    );
  });

  it('gives the worker its number and the count in MANIFOLD_WORKER and MANIFOLD_WORKERS', async () => {
    const { transport, output } = open('echo "$MANIFOLD_WORKER of $MANIFOLD_WORKERS"');
    transport.closeInput();
    expect(await output).toBe('2 of 3\n');
  });

  it.each([
    ['exit 3', 'exited with status 3', false],
    ['kill -SEGV $$', 'was killed by SIGSEGV', false],
    ['exit 127', 'exited with status 127 (command not found)', true],
    ['exit 126', 'exited with status 126 (not executable)', true],
  ])('`%s` fails: "%s"', async (script, reason, notFound) => {
    const { transport, outcome } = open(script);
    transport.closeInput();
    expect(await outcome).toMatchObject({
      kind: 'failed',
      reason,
      retryable: true,
      ...(notFound ? { notFound } : {}),
    });
  });

  it('a program that does not exist fails as a shell says, with no pid to name', async () => {
    const { transport, outcome } = open('', ['mf-no-such-program-here', '--flag']);
    transport.closeInput();
    expect(await outcome).toEqual({
      kind: 'failed',
      reason: 'exited with status 127 (command not found)',
      retryable: true,
      notFound: true,
    });
    expect(transport.describe()).toBe('worker 2 (mf-no-such-program-here --flag)');
  });

  it.each([
    ['graceful', 'SIGTERM'],
    ['kill', 'SIGKILL'],
  ] as [StopReason, string][])(
    'stopped (%s), it ends by %s, as stopped',
    async (reason, signal) => {
      const { transport, started, outcome } = open('echo up; exec sleep 60');
      await started;
      transport.stop(reason);
      expect(await outcome).toEqual({
        kind: 'stopped',
        details: { pid: expect.any(Number), exitCode: null, signal },
      });
    },
  );
});
