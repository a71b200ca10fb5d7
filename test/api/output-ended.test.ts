import { describe, it } from 'vitest';
import { runApiScript } from './script.js';

// A caller's Writable ended by someone else while a call still wrote to it (another call that
// shared it, ending it at its own end; its owner): fan resolved with its records counted as
// written and its bytes gone, run hung on a pipe never drained. Now both reject, naming it.

const PRELUDE = `
import { PassThrough, Readable, Writable } from 'node:stream';
const settle = (promise) =>
  promise.then(
    () => console.log('resolved'),
    (error) => console.log(\`rejected \${error.code}: \${error.message}\`),
  );
const config = { stages: [{ name: 'copy', run: 'cat' }] };
const call = (which, io) => which === 'fan' ? fan({ command: ['cat'], workers: 1 }, io) : run(config, io);
`;

const SAID =
  "rejected manifold.failure: cannot write the output: it was ended before all of this call's output was written (by another call writing to it, or by its owner): give each call a Writable of its own";

describe.concurrent("a caller's Writable ended before the call's end", () => {
  for (const which of ['fan', 'run']) {
    it(`${which}: ended by its owner once the first output came, the call rejects (it resolved, or hung)`, async ({
      expect,
    }) => {
      const result = await runApiScript(`${PRELUDE}
        const input = new PassThrough();
        let first;
        const came = new Promise((resolve) => { first = resolve; });
        const output = new Writable({ write(chunk, encoding, done) { first(); done(); } });
        const running = settle(call(${JSON.stringify(which)}, { input, output }));
        input.write('a\\n');
        await came;
        output.end();
        input.end('b\\n'.repeat(100000));
        await running;`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(SAID);
      expect(result.exitCode).toBe(0);
    });

    it(`${which}: two calls sharing one, the later one rejects once the first has ended it (its bytes were lost)`, async ({
      expect,
    }) => {
      const result = await runApiScript(`${PRELUDE}
        let bytes = 0;
        const shared = new Writable({ write(chunk, encoding, done) { bytes += chunk.length; done(); } });
        const later = new PassThrough();
        const second = call(${JSON.stringify(which)}, { input: later, output: shared });
        second.catch(() => {});
        await settle(call(${JSON.stringify(which)}, { input: Readable.from(['a\\n']), output: shared }));
        later.end('b\\n'.repeat(1000));
        await settle(second);
        console.log(bytes);`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`resolved\n${SAID}\n2`);
      expect(result.exitCode).toBe(0);
    });
  }
});
