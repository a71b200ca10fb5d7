import { describe, it } from 'vitest';
import { runApiScript } from './script.js';

// A caller's stderr sink (`stderr: Writable`) or reporter that fails: its 'error' event was heard
// by nobody and threw in the caller's process (exit 1, a stack trace). Now it takes nothing
// more, as a command's stderr closed under it: the run goes on to its end, its output whole,
// and a failure still rejects the call with its line. run's stages' stderr is read and dropped
// once its sink has failed: a stage that goes on writing there never waits on a full pipe (with
// the error merely held, such a run hung).

const PRELUDE = `
import { Readable, Writable } from 'node:stream';
let out = 0;
const sink = () => new Writable({ write(chunk, encoding, done) { out += chunk.length; done(); } });
const failing = () => new Writable({ write(chunk, encoding, done) { done(new Error('sink broke')); } });
const settle = (promise) =>
  promise.then(
    () => console.log(\`resolved: \${out} bytes\`),
    (error) => console.log(\`rejected \${error.code}: \${error.message}\`),
  );
const lines = () => Readable.from(['a\\n'.repeat(100000)]);
const throwing = { write() { throw new Error('reporter broke'); } };
// 3 MB on stderr, more than its pipe holds, then the input copied.
const noisy = "head -c 3000000 /dev/zero | tr '\\\\\\\\0' e >&2; cat";
`;

const cases: [string, string, string][] = [
  [
    'fan, its stderr sink, under a stderr flood',
    'await settle(fan({ command: noisy, workers: 2, stderr: failing() }, { input: lines(), output: sink() }));',
    'resolved: 200000 bytes',
  ],
  [
    'run, its stderr sink, under a stderr flood',
    "await settle(run({ stages: [{ name: 'noisy', run: noisy }] }, { input: lines(), output: sink(), stderr: failing() }));",
    'resolved: 200000 bytes',
  ],
  [
    'fan, its reporter, with a worker that fails',
    "await settle(fan({ command: 'exit 3', workers: 1, reporter: failing() }, { input: lines(), output: sink() }));",
    'rejected manifold.failure: worker 1 (pid PID: exit 3) exited with status 3; it had been given block 1 (records 1-100000)',
  ],
  [
    'run, its reporter, with a stage that fails',
    "await settle(run({ stages: [{ name: 'bad', run: 'cat >/dev/null; exit 4' }] }, { input: lines(), output: sink(), reporter: failing() }));",
    'rejected manifold.failure: stage bad (cat >/dev/null; exit 4) exited with status 4',
  ],
  // A reporter that is no stream, whose write throws: the throw, from an event's callback, ended
  // the caller's process (an uncaught exception), or rejected the call with no code.
  [
    'fan, a reporter whose write throws, with a worker that fails',
    "await settle(fan({ command: 'exit 3', workers: 1, reporter: throwing }, { input: lines(), output: sink() }));",
    'rejected manifold.failure: worker 1 (pid PID: exit 3) exited with status 3; it had been given block 1 (records 1-100000)',
  ],
  [
    'fan, a reporter whose write throws, verbose',
    "await settle(fan({ command: ['cat'], workers: 1, verbose: true, stats: '-', reporter: throwing }, { input: lines(), output: sink() }));",
    'resolved: 200000 bytes',
  ],
  [
    'run, a reporter whose write throws, with a stage that fails',
    "await settle(run({ stages: [{ name: 'bad', run: 'cat >/dev/null; exit 4' }] }, { input: lines(), output: sink(), reporter: throwing }));",
    'rejected manifold.failure: stage bad (cat >/dev/null; exit 4) exited with status 4',
  ],
];

describe.concurrent('a stderr sink or reporter that fails', () => {
  for (const [name, body, said] of cases) {
    it(`${name}: the run goes on to its end, nothing thrown`, async ({ expect }) => {
      const result = await runApiScript(`${PRELUDE}\n${body}`);
      expect(result.stderr).toBe('');
      expect(result.stdout.replace(/pid \d+/, 'pid PID')).toBe(said);
      expect(result.exitCode).toBe(0);
    });
  }
});
