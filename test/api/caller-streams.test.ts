import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, type ManifoldError, RunError, run } from '../../orchestrator/index.js';
import { fixture } from '../helpers.js';
import { leftovers, pidsIn, procsOf } from '../support/proc.js';
import { within } from '../support/spawn.js';
import { tempDir } from '../support/temp.js';
import { runApiScript } from './script.js';

// `run` copies the caller's Readable into a pipe its first stage reads, and a pipe its last
// stage writes into the caller's Writable. Those streams failing mid-run were not heard: an
// input that failed ended the pipe as if the input had ended (status 0, the output cut short),
// one destroyed without an error never ended it, and an output that failed or was destroyed
// left the last stage blocked on a full pipe: the promise never settled.

async function rejection(promise: Promise<unknown>): Promise<ManifoldError> {
  return within(
    promise.then(
      () => {
        throw new Error('the promise resolved');
      },
      (e: unknown) => e as ManifoldError,
    ),
    20_000,
    () => 'run never settled',
  );
}

/** 40 MiB of lines, a MiB at a time: more than the pipes between the stages hold. */
function bigInput(): Readable {
  let left = 40;
  return new Readable({
    read() {
      this.push(left-- > 0 ? Buffer.alloc(1 << 20, 'abc\n') : null);
    },
  });
}

/** A Writable that takes two chunks, then does `third` with the third. */
function outputThat(third: (stream: Writable, done: (error?: Error) => void) => void): Writable {
  let chunks = 0;
  const stream: Writable = new Writable({
    write(_chunk, _encoding, done) {
      if (++chunks === 3) third(stream, done);
      else done();
    },
  });
  return stream;
}

/** An input that gives `chunks` chunks of lines, then does `then`. */
function inputThat(chunks: number, then: (stream: Readable) => void): Readable {
  let given = 0;
  return new Readable({
    read() {
      if (given++ === chunks) then(this);
      else this.push(Buffer.alloc(1 << 16, 'abc\n'));
    },
  });
}

/** A command stage and a fan stage, each process recording its pid in `dir` (sig-cat). */
const config = (dir: string) => ({
  env: { MF_PIDS: dir },
  stages: [{ run: [fixture('sig-cat')] }, { fan: { worker: [fixture('sig-cat')], workers: 2 } }],
});

describe('run, when the caller’s streams fail mid-run', () => {
  it('an output destroyed: rejects with manifold.outputClosed, every stage gone', async () => {
    const dir = tempDir();
    const output = outputThat((stream, done) => {
      done();
      setImmediate(() => stream.destroy());
    });
    const error = await rejection(run(config(dir), { input: bigInput(), output }));
    expect(error.code).toBe('manifold.outputClosed');
    expect(await leftovers(procsOf(pidsIn(dir)), 5000)).toEqual([]);
  });

  it('an output that fails: rejects with manifold.failure naming it, its error as cause', async () => {
    const dir = tempDir();
    const full = new Error('disk full');
    const output = outputThat((_stream, done) => done(full));
    const error = await rejection(run(config(dir), { input: bigInput(), output }));
    expect(error).toBeInstanceOf(RunError);
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures).toEqual(['cannot write the output: disk full']);
    expect(error.cause).toBe(full);
    expect(await leftovers(procsOf(pidsIn(dir)), 5000)).toEqual([]);
  });

  it('an input that fails: rejects with manifold.failure naming it, its error as cause', async () => {
    const dir = tempDir();
    const broke = new Error('input broke');
    const input = inputThat(10, (stream) => stream.destroy(broke));
    const error = await rejection(
      run(config(dir), { input, output: new Writable({ write: (_c, _e, done) => done() }) }),
    );
    expect(error).toBeInstanceOf(RunError);
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures).toEqual(['cannot read the input: input broke']);
    expect(error.cause).toBe(broke);
    expect(await leftovers(procsOf(pidsIn(dir)), 5000)).toEqual([]);
  });

  it('an input destroyed before its end: rejects with manifold.failure, as a premature close', async () => {
    const dir = tempDir();
    const input = inputThat(10, (stream) => stream.destroy());
    const error = await rejection(
      run(config(dir), { input, output: new Writable({ write: (_c, _e, done) => done() }) }),
    );
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures).toEqual(['cannot read the input: Premature close']);
    expect(await leftovers(procsOf(pidsIn(dir)), 5000)).toEqual([]);
  });

  it('an input that ends well after a stage stopped reading (head) is no failure', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `${i}\n`).join('');
    const chunks: Buffer[] = [];
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const summary = await run(
      { stages: [{ run: 'head -n 2' }] },
      { input: Readable.from([lines]), output },
    );
    expect(summary.status).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe('0\n1\n');
  });
});

describe('fan, when the caller’s streams fail mid-run', () => {
  it('an output that fails: its error is the rejection’s cause, named as run names it (was "cannot write the output: Error: disk full")', async () => {
    // A code of the stream's own, not a system call's: its words are kept, not just the code.
    const full = Object.assign(new Error('disk full'), { code: 'ERR_DISK_FULL' });
    const output = outputThat((_stream, done) => done(full));
    const error = await rejection(
      fan({ command: ['cat'], workers: 2 }, { input: bigInput(), output }),
    );
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures).toEqual(['cannot write the output: disk full']);
    expect(error.cause).toBe(full);
  });

  it('an input that fails: its error is the rejection’s cause, the input named as run names it (was "Error: input broke")', async () => {
    const broke = new Error('input broke');
    const input = inputThat(10, (stream) => stream.destroy(broke));
    const output = new Writable({ write: (_c, _e, done) => done() });
    const error = await rejection(fan({ command: ['cat'], workers: 2 }, { input, output }));
    expect(error.code).toBe('manifold.failure');
    expect((error as RunError).failures).toEqual(['cannot read the input: input broke']);
    // An error of another kind keeps its kind's name.
    const typed = new TypeError('bad chunk');
    const again = await rejection(
      fan(
        { command: ['cat'], workers: 2 },
        {
          input: inputThat(10, (stream) => stream.destroy(typed)),
          output: new Writable({ write: (_c, _e, done) => done() }),
        },
      ),
    );
    expect((again as RunError).failures).toEqual(['cannot read the input: TypeError: bad chunk']);
    expect(error.cause).toBe(broke);
  });
});

describe('nothing of manifold’s is left running when a call settles', () => {
  // The process starter (python3) ended a few ms after the promise settled: a caller that
  // looked for its children right then found it (50 of 50 fans).
  it('fan, run, and an aborted fan: no child of the process at the moment each settles', async () => {
    const result = await runApiScript(`
      import { readdirSync, readFileSync } from 'node:fs';
      import { Readable, Writable } from 'node:stream';
      const children = () => readdirSync('/proc').filter((p) => {
        try {
          const stat = readFileSync('/proc/' + p + '/stat', 'latin1');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
        } catch { return false; }
      });
      const discard = () => new Writable({ write: (_c, _e, done) => done() });
      const left = [];
      for (let i = 0; i < 5; i++) {
        const input = () => Readable.from(['a\\nb\\n'.repeat(1000)]);
        await fan({ command: 'cat', workers: 2, merge: 'ordered' }, { input: input(), output: discard() });
        left.push(children().length);
        await run({ stages: [{ fan: { worker: 'cat', workers: 2 } }] }, { input: input(), output: discard() });
        left.push(children().length);
        const controller = new AbortController();
        const endless = new Readable({ read() { this.push('x\\n'.repeat(1000)); } });
        const running = fan({ command: 'cat', workers: 2, merge: 'ordered' },
          { input: endless, output: discard(), signal: controller.signal });
        setTimeout(() => controller.abort(), 200);
        await running.catch(() => {});
        left.push(children().length);
      }
      console.log(left.join(' '));
    `);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(Array(15).fill('0').join(' '));
  });
});

describe('many calls at once', () => {
  // Each fan and run listens to its output stream: 11 at once on process.stdout printed Node's
  // MaxListenersExceededWarning ("Possible EventEmitter memory leak detected"), an event a line.
  it('fans and runs writing to process.stdout together: no warning, every output whole', async ({
    expect,
  }) => {
    const result = await runApiScript(`
      import { Readable } from 'node:stream';
      const runs = [];
      for (let i = 0; i < 16; i++) {
        const input = Readable.from([\`\${i}\\n\`]);
        runs.push(fan({ command: ['cat'], workers: 2 }, { input, output: process.stdout }));
      }
      await Promise.all(runs);
      await fan({ command: ['cat'] }, { input: Readable.from(['16\\n']), output: process.stdout });
      const stages = [{ fan: { worker: 'cat', workers: 2 } }];
      const pipelines = [];
      for (let i = 17; i < 33; i++) {
        const input = Readable.from([\`\${i}\\n\`]);
        pipelines.push(run({ stages }, { input, output: process.stdout }));
      }
      await Promise.all(pipelines);
      // Each fan and run let process.stdout go again, its limit with it.
      process.stderr.write(\`limit \${process.stdout.getMaxListeners()}\`);
    `);
    expect(result.stderr).toBe('limit 10');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n').map(Number);
    expect(lines.sort((a, b) => a - b)).toEqual(Array.from({ length: 33 }, (_, i) => i));
  });
});
