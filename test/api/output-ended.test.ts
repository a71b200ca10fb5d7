import { linkSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { tempDir } from '../support/temp.js';
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

/** In the script: resolves once no process under it runs `cat` (the workers, the stage). */
const CATS_ENDED = `
import { readFileSync, readdirSync } from 'node:fs';
const under = (pid) => readdirSync(\`/proc/\${pid}/task\`).flatMap((task) => {
  try {
    return readFileSync(\`/proc/\${pid}/task/\${task}/children\`, 'utf8').split(' ').filter(Boolean);
  } catch { return []; }
});
const comm = (pid) => { try { return readFileSync(\`/proc/\${pid}/comm\`, 'utf8').trim(); } catch { return ''; } };
const descendants = (pid) => under(pid).flatMap((child) => [child, ...descendants(child)]);
const catsEnded = async () => {
  while (descendants(process.pid).some((pid) => comm(pid) === 'cat'))
    await new Promise((resolve) => setImmediate(resolve));
};
`;

describe.concurrent('an abort while a stalled Writable holds the rest of the output', () => {
  for (const which of ['fan', 'run']) {
    it(`${which}: rejects at once, the Writable destroyed (it waited for the Writable, for ever)`, async ({
      expect,
    }) => {
      const result = await runApiScript(`${PRELUDE}${CATS_ENDED}
        const controller = new AbortController();
        // Takes its first chunk and never calls back: a reader that stalled.
        let first;
        const came = new Promise((resolve) => { first = resolve; });
        const output = new Writable({ highWaterMark: 16, write() { first(); } });
        const running = settle(call(${JSON.stringify(which)}, {
          input: Readable.from(['a\\n'.repeat(1000)]),
          output,
          signal: controller.signal,
        }));
        // Aborted once cat has written all and ended: only the output is left to go.
        await came;
        await catsEnded();
        controller.abort();
        await running;
        console.log(output.destroyed);`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('rejected manifold.aborted: the run was aborted\ntrue');
      expect(result.exitCode).toBe(0);
    });
  }
});

describe.concurrent('a Writable output whose end fails (its final)', () => {
  for (const which of ['fan', 'run']) {
    it(`${which}: rejects, as a write that fails does (fan resolved before the Writable had finished)`, async ({
      expect,
    }) => {
      const result = await runApiScript(`${PRELUDE}
        const output = new Writable({
          write(chunk, encoding, done) { done(); },
          final(done) { done(new Error('flush failed: disk full')); },
        });
        await settle(call(${JSON.stringify(which)}, { input: Readable.from(['a\\nb\\n']), output }));`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(
        'rejected manifold.failure: cannot write the output: flush failed: disk full',
      );
      expect(result.exitCode).toBe(0);
    });
  }

  // Where the engine ends the output itself (a merge that writes it: per-block, ordered, --cat),
  // it met the failure too, and the line came twice (QA).
  for (const mode of ['{ perBlock: true }', "{ merge: 'ordered' }", '{ cat: true }']) {
    it(`fan ${mode}: the failure said once`, async ({ expect }) => {
      const result = await runApiScript(`${PRELUDE}
        const output = new Writable({
          write(chunk, encoding, done) { done(); },
          final(done) { done(new Error('flush failed: disk full')); },
        });
        const lines = [];
        const reporter = { write: (text) => lines.push(text) };
        const io = { input: Readable.from(['a\\nb\\n']), output };
        await fan({ command: ['cat'], workers: 1, reporter, ...${mode} }, io).catch((error) =>
          console.log(error.failures.length, JSON.stringify(lines)),
        );`);
      expect([result.stderr, result.stdout]).toEqual([
        '',
        '1 ["manifold: cannot write the output: flush failed: disk full\\n"]',
      ]);
    });
  }
});

describe.concurrent("fan's output path that is one of its inputs", () => {
  it('is refused, manifold.usage, the file kept (it was emptied before it was read: 0 records, resolved)', async ({
    expect,
  }) => {
    const dir = tempDir();
    const file = join(dir, 'same.txt');
    writeFileSync(file, 'a\nb\n');
    // Another name of the same file: its inode, not its name, is what is compared.
    const alias = join(dir, 'alias.txt');
    linkSync(file, alias);
    const result = await runApiScript(`${PRELUDE}
      await settle(fan({ command: ['cat'], workers: 2 }, {
        input: [${JSON.stringify(file)}],
        output: ${JSON.stringify(alias)},
      }));`);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `rejected manifold.usage: output ${alias} is the input ${file}: opened for writing, it would be emptied before it is read (write another file, then rename it over the input)`,
    );
    expect(result.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
  });
});

describe.concurrent('a Writable output ended or destroyed around the call', () => {
  for (const which of ['fan', 'run']) {
    it(`${which}: before it, a usage error; after it, in the same tick, as in the run (a destroyed one was a usage error too)`, async ({
      expect,
    }) => {
      const result = await runApiScript(`${PRELUDE}
        const sink = () => new Writable({ write(chunk, encoding, done) { done(); } });
        const lines = () => Readable.from(['a\\n']);
        const say = (promise) =>
          promise.then(() => console.log('resolved'), (e) => console.log(\`\${e.code} \${e.exitCode}\`));
        // The engine loaded first: the call settles in the tick it is made in.
        await say(call(${JSON.stringify(which)}, { input: lines(), output: sink() }));
        let output = sink();
        output.destroy();
        await say(call(${JSON.stringify(which)}, { input: lines(), output }));
        output = sink();
        const destroyed = call(${JSON.stringify(which)}, { input: lines(), output });
        output.destroy();
        await say(destroyed);
        output = sink();
        const ended = call(${JSON.stringify(which)}, { input: lines(), output });
        output.end();
        await say(ended);`);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(
        'resolved\nmanifold.usage 2\nmanifold.outputClosed 141\nmanifold.failure 1',
      );
      expect(result.exitCode).toBe(0);
    });
  }
});
