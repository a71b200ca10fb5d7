import { describe, it } from 'vitest';
import { runApiScript } from './script.js';

// fan and run take the chunks a caller's stream already holds together, up to 64 KiB, rather
// than one at a time (orchestrator/fan/gather.ts): a stream of line objects (`Readable.from`)
// went through fan's splitter and feed a line at a time, and into run's first pipe a write a
// line. What the workers are given must be the stream's bytes, in order, whatever the chunks'
// kinds and sizes, and a chunk that is not bytes must still be refused where it comes.

const PRELUDE = `
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
const digest = () => {
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = new Writable({ write(chunk, encoding, done) { hash.update(chunk); bytes += chunk.length; done(); } });
  return { sink, said: () => \`\${bytes} \${hash.digest('hex')}\` };
};
const expected = (chunks) => {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of chunks) { const b = Buffer.from(chunk); hash.update(b); bytes += b.length; }
  return \`\${bytes} \${hash.digest('hex')}\`;
};
// Lines of every kind a stream may give, some empty, some split across chunks.
const mixed = [];
for (let i = 0; i < 20000; i++) {
  const line = \`line \${i} \${'x'.repeat(i % 97)}\\n\`;
  if (i % 5 === 0) mixed.push(Buffer.from(line));
  else if (i % 5 === 1) mixed.push(new Uint8Array(Buffer.from(line)));
  else if (i % 5 === 2) mixed.push(line.slice(0, 3), '', line.slice(3));
  else mixed.push(line);
  // Now and then a chunk larger than what is gathered at once.
  if (i % 7000 === 7) mixed.push(\`\${'y'.repeat(100 * 1024)}\\n\`);
}
`;

describe.concurrent('a caller stream of many small chunks', () => {
  const ways: [string, string][] = [
    ['ordered, one-to-one', "merge: 'ordered', oneToOne: true"],
    ['ordered, a process per 32 KiB block', "merge: 'ordered', perBlock: true, block: '32K'"],
    [
      'ready, round-robin',
      "dispatch: 'round-robin', merge: 'ordered', oneToOne: true, block: '64K'",
    ],
  ];
  for (const [name, options] of ways) {
    it(`${name}: the workers are given its bytes in order`, async ({ expect }) => {
      const result = await runApiScript(`${PRELUDE}
const { sink, said } = digest();
await fan({ command: ['cat'], workers: 3, ${options} }, { input: Readable.from(mixed), output: sink });
console.log(said() === expected(mixed) ? 'same' : \`differs: \${said()} against \${expected(mixed)}\`);`);
      expect([result.stdout, result.stderr, result.exitCode]).toEqual(['same', '', 0]);
    });
  }

  it('given in bursts, a turn of the event loop between them: its bytes in order', async ({
    expect,
  }) => {
    const result = await runApiScript(`${PRELUDE}
const input = new Readable({ objectMode: true, read() {} });
(async () => {
  for (let i = 0; i < mixed.length; i += 277) {
    for (const chunk of mixed.slice(i, i + 277)) input.push(chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  input.push(null);
})();
const { sink, said } = digest();
await fan({ command: ['cat'], workers: 2, merge: 'ordered', oneToOne: true }, { input, output: sink });
console.log(said() === expected(mixed) ? 'same' : 'differs');`);
    expect([result.stdout, result.stderr, result.exitCode]).toEqual(['same', '', 0]);
  });

  it('run: its first stage is given the bytes in order; one that stops early ends the run', async ({
    expect,
  }) => {
    const result = await runApiScript(`${PRELUDE}
const copy = digest();
await run({ stages: [{ name: 'copy', run: 'cat' }] }, { input: Readable.from(mixed), output: copy.sink });
console.log(copy.said() === expected(mixed) ? 'same' : 'differs');
const first = digest();
await run({ stages: [{ name: 'first', run: 'head -n 1' }] }, { input: Readable.from(mixed), output: first.sink });
console.log(first.said() === expected([mixed[0]]) ? 'the first line' : first.said());`);
    expect([result.stdout, result.stderr, result.exitCode]).toEqual([
      'same\nthe first line',
      '',
      0,
    ]);
  });

  for (const call of ['fan', 'run']) {
    it(`${call}: a chunk that is not bytes among many that are: refused, naming it`, async ({
      expect,
    }) => {
      const invoke =
        call === 'fan'
          ? "fan({ command: ['cat'], workers: 2 }, { input, output: sink })"
          : "run({ stages: [{ name: 'copy', run: 'cat' }] }, { input, output: sink })";
      const result = await runApiScript(`${PRELUDE}
const { sink } = digest();
const input = Readable.from([...mixed.slice(0, 5000), 7, 'z\\n']);
await ${invoke}.then(
  () => console.log('resolved'),
  (error) => console.log(\`rejected \${error.code}: \${error.message}\`),
);`);
      expect(result.stdout).toBe(
        'rejected manifold.failure: the input stream gave a number chunk: it must give bytes (Buffer, Uint8Array or string)',
      );
      expect([result.stderr, result.exitCode]).toEqual(['', 0]);
    });
  }
});
