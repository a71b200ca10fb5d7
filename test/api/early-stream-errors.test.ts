import { describe, it } from 'vitest';
import { runApiScript } from './script.js';

// The caller's streams failing as soon as the call is made (destroyed in the same tick, before
// the engine has loaded and listens to them): the 'error' event was heard by nobody and threw
// in the caller's process (`Unhandled 'error' event`, exit 1), out of reach of the promise, for
// fan, fan.stream and run alike. Now the call rejects for it, as for a stream that fails while
// the run goes on, and once it has settled the streams' errors are the caller's again.

const PRELUDE = `
import { PassThrough, Readable, Writable } from 'node:stream';
const sink = () => new Writable({ write(chunk, encoding, done) { done(); } });
const lines = () => Readable.from(['a\\nb\\n']);
const settle = (promise) =>
  promise.then(
    () => console.log('resolved'),
    (error) => console.log(\`rejected \${error.code}: \${error.message}\`),
  );
const broken = (stream, what) => stream.destroy(new Error(\`\${what} broke\`));
const config = { stages: [{ name: 'copy', run: 'cat' }] };
`;

const cases: [string, string, string][] = [
  [
    'fan, its input',
    `const input = new PassThrough();
     const call = fan({ command: ['cat'], workers: 2 }, { input, output: sink() });
     broken(input, 'source');
     await settle(call);`,
    'rejected manifold.failure: cannot read the input: source broke',
  ],
  [
    'fan, its output',
    `const output = sink();
     const call = fan({ command: ['cat'], workers: 2 }, { input: lines(), output });
     broken(output, 'sink');
     await settle(call);`,
    'rejected manifold.failure: cannot write the output: sink broke',
  ],
  [
    'fan.stream, its input',
    `const input = new PassThrough();
     const chunks = fan.stream({ command: ['cat'], workers: 2 }, { input });
     const call = (async () => { for await (const chunk of chunks) {} })();
     broken(input, 'source');
     await settle(call);`,
    'rejected manifold.failure: cannot read the input: source broke',
  ],
  [
    'run, its input',
    `const input = new PassThrough();
     const call = run(config, { input, output: sink() });
     broken(input, 'source');
     await settle(call);`,
    'rejected manifold.failure: cannot read the input: source broke',
  ],
  [
    'run, its output',
    `const output = sink();
     const call = run(config, { input: lines(), output });
     broken(output, 'sink');
     await settle(call);`,
    'rejected manifold.failure: cannot write the output: sink broke',
  ],
  // Once the engine is loaded, the call settles in the tick of the call, before Node emits the
  // stream's 'error' (a tick after destroy): the listener let go with the call, and it threw.
  [
    'fan, its output, the engine loaded by a call before',
    `await fan({ command: ['cat'], workers: 1 }, { input: lines(), output: sink() });
     const output = sink();
     const call = fan({ command: ['cat'], workers: 2 }, { input: lines(), output });
     broken(output, 'sink');
     await settle(call);
     await new Promise((resolve) => setImmediate(resolve));`,
    'rejected manifold.failure: cannot write the output: sink broke',
  ],
  [
    'run, its output, the engine loaded by a call before',
    `await run(config, { input: lines(), output: sink() });
     const output = sink();
     const call = run(config, { input: lines(), output });
     broken(output, 'sink');
     await settle(call);
     await new Promise((resolve) => setImmediate(resolve));`,
    'rejected manifold.failure: cannot write the output: sink broke',
  ],
];

describe.concurrent("a caller's stream that fails as the call is made", () => {
  for (const [name, body, said] of cases) {
    it(`${name}: the call rejects for it, nothing thrown in the process`, async ({ expect }) => {
      const result = await runApiScript(`${PRELUDE}\n${body}`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(said);
      expect(result.exitCode).toBe(0);
    });
  }

  it('once the call has settled, the output has no listener of ours left', async ({ expect }) => {
    // process.stdout, which a call writes to but never ends, as a caller's long-lived stream.
    const result = await runApiScript(`${PRELUDE}
      const output = process.stdout;
      await fan({ command: ['cat'], workers: 2 }, { input: lines(), output });
      await run(config, { input: lines(), output });
      console.log(\`error listeners: \${output.listenerCount('error')}\`);`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('a\nb\na\nb\nerror listeners: 0');
    expect(result.exitCode).toBe(0);
  });
});
