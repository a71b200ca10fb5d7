import { describe, it } from 'vitest';
import { runApiScript } from './script.js';

// A Readable in object mode (`Readable.from`) may give chunks that are not bytes. fan's reads
// refused them with "a object chunk"; run wrote them into its first stage's pipe, which threw
// ERR_INVALID_ARG_TYPE in the caller's process (exit 1, a stack trace), out of reach of the
// promise. Now both reject with one line naming what the chunk was, and take strings and
// Uint8Arrays from such a stream as bytes.

const PRELUDE = `
import { Readable, Writable } from 'node:stream';
let written = '';
const sink = () => new Writable({ write(chunk, encoding, done) { written += chunk; done(); } });
const settle = (promise) =>
  promise.then(
    () => console.log(\`resolved: \${JSON.stringify(written)}\`),
    (error) => console.log(\`rejected \${error.code}: \${error.message}\`),
  );
const config = { stages: [{ name: 'copy', run: 'cat' }] };
const fanned = (input) => fan({ command: ['cat'], workers: 2 }, { input, output: sink() });
const ran = (input) => run(config, { input, output: sink() });
`;

const refusal = (kind: string) =>
  `rejected manifold.failure: the input stream gave ${kind} chunk: it must give bytes (Buffer, Uint8Array or string)`;

describe.concurrent('an object-mode input whose chunks are not bytes', () => {
  const cases: [string, string, string][] = [
    ['fan, an object', 'fanned', '[{ a: 1 }]'],
    ['run, an object', 'ran', '[{ a: 1 }]'],
    ['run, a number after bytes', 'ran', "['a\\n', 7]"],
    ['run, an array', 'ran', '[[1, 2]]'],
  ];
  for (const [name, call, chunks] of cases) {
    it(`${name}: one line naming it, the call rejects, nothing thrown`, async ({ expect }) => {
      const result = await runApiScript(
        `${PRELUDE}\nawait settle(${call}(Readable.from(${chunks})));`,
      );
      const kind = chunks.includes('{')
        ? 'an object'
        : chunks.includes('7')
          ? 'a number'
          : 'an array';
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(refusal(kind));
      expect(result.exitCode).toBe(0);
    });
  }

  it('run: strings and Uint8Arrays from such a stream are bytes', async ({ expect }) => {
    const result = await runApiScript(
      `${PRELUDE}\nawait settle(ran(Readable.from(['a\\n', new Uint8Array([98, 10]), Buffer.from('c\\n')])));`,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('resolved: "a\\nb\\nc\\n"');
    expect(result.exitCode).toBe(0);
  });
});
