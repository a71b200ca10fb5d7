import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, ManifoldError, RunError } from '../../orchestrator/index.js';
import { fixture } from '../helpers.js';
import { holdsWithin, leftovers, pidsIn, procsOf } from '../support/proc.js';
import { sink } from '../support/sink.js';
import { tempDir } from '../support/temp.js';
import { runApiScript } from './script.js';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');
const sorted = (text: string) => text.split('\n').filter(Boolean).sort().join('\n');

async function rejection(promise: Promise<unknown>): Promise<ManifoldError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the promise rejects').toBeInstanceOf(ManifoldError);
  return error as ManifoldError;
}

describe('fan: options', () => {
  // Each bad value is refused before anything runs, with a message naming the option as the
  // library spells it (camelCase), code manifold.usage, exit status 2.
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'workers',
      { workers: 0 },
      /^workers 0 \(GNU parallel's "as many as can run"\) has no meaning/,
    ],
    ['workers', { workers: '-9999' }, /^workers -9999 is -\d+ workers on this machine's \d+ CPUs/],
    [
      'workers',
      { workers: '+1', hosts: ['h1'] },
      /^workers \+1 counts this machine's CPUs, not a host's/,
    ],
    ['workers', { workers: true }, /^workers must be a whole number/],
    ['split', { split: 'raw' }, /^split raw has no record boundaries/],
    ['split', { split: 'bogus' }, /^split bogus is not one of lines/],
    ['split', { split: 3 }, /^split must be a string \(got 3\)$/],
    ['join', { join: 'raw' }, /^join raw has no record boundaries/],
    ['join', { join: 'zz' }, /^join zz is not one of/],
    ['null', { null: 'yes' }, /^null must be true or false \(got yes\)$/],
    ['block', { block: 0 }, /^block 0 must be at least 1 byte$/],
    ['block', { block: 'x' }, /^block x is not a size/],
    ['block', { block: {} }, /^block must be a size/],
    [
      'dispatch',
      { dispatch: 'nope' },
      /^dispatch must be one of ready, round-robin, hash, broadcast/,
    ],
    ['key', { key: 'bogus' }, /^key bogus is not one of/],
    ['fieldSep', { key: 'field:1', fieldSep: 'ab' }, /^fieldSep ab must be one character/],
    ['merge', { merge: 'x' }, /^merge must be one of ready, ordered, sorted \(got x\)$/],
    ['mergeMemory', { mergeMemory: 'lots' }, /^mergeMemory lots is not a size/],
    ['numeric', { numeric: true }, /^numeric orders the sorted merge: it needs merge sorted$/],
    ['reverse', { reverse: true, merge: 'ready' }, /^reverse orders the sorted merge/],
    ['numeric', { numeric: 1 }, /^numeric must be true or false/],
    [
      'merge',
      { merge: 'ordered', dispatch: 'hash' },
      /^merge ordered keeps the order .* dispatch hash/,
    ],
    ['tag', { tag: 'x' }, /^tag must be true or false/],
    ['shell', { shell: 'x' }, /^shell must be true or false/],
    ['shell', { command: 'cat', shell: false }, /^shell is false, but command is a string/],
    ['perBlock', { perBlock: 1 }, /^perBlock must be true or false/],
    [
      'oneToOne',
      { perBlock: true, oneToOne: true },
      /^choose one of perBlock, oneToOne and protocol/,
    ],
    ['protocol', { protocol: 'xyz' }, /^protocol xyz is unknown: the one protocol is 'manifold'$/],
    [
      'protocol',
      { command: 'cat', protocol: 'manifold' },
      /^protocol needs a command run directly/,
    ],
    ['retries', { retries: -1 }, /^retries must be a whole number of at least 0 \(got -1\)$/],
    [
      'halt',
      { halt: 'later' },
      /^halt must be now, soon or never, the first two optionally with ,fail=N, ,fail=N% or ,success=N \(got later\)$/,
    ],
    ['maxRecord', { maxRecord: '2T' }, /^maxRecord 2T is too large/],
    ['stats', { stats: 5 }, /^stats must be a string/],
    ['stats', { stats: '-' }, /^stats '-' writes to the reporter: give one/],
    // Its rows went to the caller's process.stderr: the library writes nowhere by itself.
    ['joblog', { joblog: '-' }, /^joblog '-' writes to the reporter: give one/],
    [
      'stats',
      { stats: '/nonexistent/dir/stats.json' },
      /^stats \/nonexistent\/dir\/stats.json: no such directory$/,
    ],
    ['progress', { progress: true }, /^progress writes to the reporter/],
    ['verbose', { verbose: true }, /^verbose writes to the reporter/],
    ['verbose', { verbose: 'x', reporter: { write: () => {} } }, /^verbose must be true or false/],
    ['command', { command: [] }, /^command must be an argv array/],
    ['command', { command: '  ' }, /^command must not be empty$/],
    ['command', { command: [''] }, /^command has an empty program \(its first word\)$/],
    // Blanks for /bin/sh -c ran nothing, read none of the input and succeeded.
    [
      'command',
      { command: [' ', ''], shell: true },
      /^command is a command line of blanks: it runs nothing$/,
    ],
    // A line /bin/sh cannot parse started every worker to fail with the shell's line.
    [
      'command',
      { command: 'cat |' },
      /^\/bin\/sh cannot parse command: line 1: Syntax error: end of file unexpected$/,
    ],
    ['command', { command: [1, 2] }, /^command must be an argv array/],
    ['env', { env: { A: 1 } }, /^env must be an object of strings/],
    ['stderr', { stderr: 'discard' }, /^stderr must be 'collect', 'inherit' or a Writable stream$/],
    ['reporter', { reporter: {} }, /^reporter must have a write\(text\) method/],
    [
      'an unknown option',
      { wokers: 2 },
      /^unknown option "wokers" \(did you mean "workers"\?\); known: command, workers,/,
    ],
    // A config's (or the command line's) spelling of an option: before, the list of names only.
    [
      "a config's spelling",
      { 'one-to-one': true },
      /^unknown option "one-to-one" \(did you mean "oneToOne"\?\); known: command,/,
    ],
    // An I/O name among the options: before, `unknown option "input" (known: ...)` and no word
    // of where it goes.
    [
      'an I/O option',
      { input: 'in.txt' },
      /^unknown option "input": it is an I\/O option, given in the second argument \(\{ input, output, signal \}\)$/,
    ],
  ];
  it.each(cases)('%s: %j is refused, naming it', async (_name, settings, message) => {
    const error = await rejection(
      fan({ command: ['cat'], ...settings } as never, { input: Readable.from([]), output: sink() }),
    );
    expect(error.message).toMatch(message);
    expect(error.code).toBe('manifold.usage');
    expect(error.exitCode).toBe(2);
  });

  it('a table that is not there is named as the library spells it, table (it said --table)', async () => {
    const error = await rejection(
      fan({ command: ['cat'], table: ['nope.mft'] }, { input: Readable.from([]), output: sink() }),
    );
    expect({ code: error.code, exitCode: error.exitCode, message: error.message }).toEqual({
      code: 'manifold.table',
      exitCode: 2,
      message:
        "table nope.mft: nothing at the path nope.mft (a value without = is a table's path); to name a table, give NAME=PATH: table nope.mft=<the table's folder>",
    });
  });

  const io: [string, Record<string, unknown>, RegExp][] = [
    ['no input', { output: 1 }, /^input is required: a Readable stream, a file path/],
    [
      'an empty list of paths',
      { input: [], output: 1 },
      /^input must be a Readable stream.*\(got an empty list\)$/,
    ],
    ['a bad input', { input: {}, output: 1 }, /^input must be .* \(got an object\)$/],
    // An async generator's constructor has no name: `(got a )`.
    [
      'an async generator as input',
      { input: (async function* () {})(), output: 1 },
      /^input must be .* \(got an async iterable: Readable\.from\(it\) makes one a Readable\)$/,
    ],
    [
      'a missing file',
      { input: '/nonexistent/in', output: 1 },
      /^input \/nonexistent\/in: no such file$/,
    ],
    ['a closed descriptor', { input: 1000, output: 1 }, /^input descriptor 1000 is not open$/],
    ['no output at all', { input: Readable.from([]) }, /^output is required: a Writable stream/],
    ['a bad output', { input: Readable.from([]), output: true }, /^output must be a Writable/],
    [
      'an unknown I/O option',
      { input: Readable.from([]), output: 1, inptu: 1 },
      /^unknown I\/O option "inptu" \(did you mean "input"\?\); known: input, output, signal$/,
    ],
    // run takes its reporter with the I/O, fan with its options: before, `unknown I/O option
    // "reporter" (known: input, output, signal)`.
    [
      'an option among the I/O',
      { input: Readable.from([]), output: 1, reporter: process.stderr },
      /^unknown I\/O option "reporter": it is an option, given in the first argument with the command$/,
    ],
    [
      'a signal that is none',
      { input: Readable.from([]), output: 1, signal: 'x' },
      /^signal must be an AbortSignal$/,
    ],
  ];
  it.each(io)('%s is refused, naming it', async (_name, given, message) => {
    const error = await rejection(fan({ command: ['cat'] }, given as never));
    expect(error.message).toMatch(message);
    expect(error.code).toBe('manifold.usage');
  });

  it('an output path in a missing folder is refused before anything runs', async () => {
    const error = await rejection(
      fan({ command: ['cat'] }, { input: Readable.from([]), output: '/nonexistent/dir/out' }),
    );
    expect(error.message).toBe('output /nonexistent/dir/out: no such directory');
  });

  it('a command not on PATH is refused with manifold.notFound, exit status 127', async () => {
    const error = await rejection(
      fan({ command: ['no-such-command-xyz'] }, { input: Readable.from([]), output: sink() }),
    );
    expect(error.code).toBe('manifold.notFound');
    expect(error.exitCode).toBe(127);
    expect(error.message).toBe('no-such-command-xyz: command not found');
  });
});

describe('fan: input and output kinds', () => {
  const text = lines(2000);

  it('the summary counts a delimiter manifold put between two records in the bytes out', async () => {
    // Each block's output lacks its last newline: manifold puts one in between, so that two
    // records never run together, and those bytes are written too (they were not counted).
    const out = sink();
    const summary = await fan(
      { command: 'printf %s "$(cat)"', workers: 2, block: 2, perBlock: true, merge: 'ordered' },
      { input: Readable.from(['a\nb\nc\n']), output: out },
    );
    expect(out.text()).toBe('a\nb\nc');
    expect(summary.totals.bytesOut).toBe(5);
    expect(summary.totals.recordsOut).toBe(3);
  });

  it('a Readable to a Writable; the summary counts both sides', async () => {
    const out = sink();
    const summary = await fan(
      { command: ['cat'], workers: 3, block: '4K' },
      { input: Readable.from([text.slice(0, 7000), text.slice(7000)]), output: out },
    );
    expect(sorted(out.text())).toBe(sorted(text));
    expect(out.writableFinished, 'the output stream is ended').toBe(true);
    expect(summary.status).toBe(0);
    expect(summary.totals.recordsIn).toBe(2000);
    expect(summary.totals.recordsOut).toBe(2000);
    expect(summary.totals.bytesOut).toBe(text.length);
    expect(summary.workers).toHaveLength(3);
  });

  it('a file path to a file path, and strings from a stream as bytes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in'), text);
    await fan(
      { command: 'tr a-z A-Z', workers: 2 },
      { input: join(dir, 'in'), output: join(dir, 'out') },
    );
    expect(sorted(readFileSync(join(dir, 'out'), 'utf8'))).toBe(sorted(text.toUpperCase()));
  });

  it('a list of paths, read in order, to a descriptor, left open for the caller', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'a1\na2\n');
    writeFileSync(join(dir, 'b'), 'b1\n');
    const fd = openSync(join(dir, 'out'), 'w');
    await fan(
      { command: ['cat'], workers: 1 },
      { input: [join(dir, 'a'), join(dir, 'b')], output: fd },
    );
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('a1\na2\nb1\n');
    // The caller's (output-descriptor-kinds): still open at the end.
    expect(() => fstatSync(fd)).not.toThrow();
    closeSync(fd);
  });

  it('a descriptor of a file to a Writable', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in'), text);
    const fd = openSync(join(dir, 'in'), 'r');
    const out = sink();
    try {
      await fan(
        { command: ['cat'], workers: 2, merge: 'ordered', oneToOne: true },
        { input: fd, output: out },
      );
    } finally {
      closeSync(fd);
    }
    expect(out.text()).toBe(text);
  });

  // A descriptor read as a stream (a device, a directory) was closed by the stream as the fan
  // stopped: the caller's lost, and one Node held itself aborted the process (QA).
  it('a descriptor read as a stream is left open for the caller, read to its end or failing', async () => {
    const device = openSync('/dev/null', 'r');
    const folder = openSync(tempDir(), 'r');
    try {
      const out = sink();
      await fan({ command: ['cat'] }, { input: device, output: out });
      expect(out.text()).toBe('');
      const error = await rejection(fan({ command: ['cat'] }, { input: folder, output: sink() }));
      expect(error.message).toBe('cannot read input: is a directory');
      expect(() => fstatSync(device)).not.toThrow();
      expect(() => fstatSync(folder)).not.toThrow();
    } finally {
      closeSync(device);
      closeSync(folder);
    }
  });
});

describe('fan: ends', () => {
  it('a failing worker rejects with manifold.failure, its line and its last stderr lines', async () => {
    const error = await rejection(
      fan(
        { command: 'echo first >&2; echo "bad things" >&2; exit 3', workers: 1 },
        { input: Readable.from(['a\n']), output: sink() },
      ),
    );
    expect(error).toBeInstanceOf(RunError);
    const failed = error as RunError<{ status: number }>;
    expect(failed.code).toBe('manifold.failure');
    expect(failed.exitCode).toBe(1);
    expect(failed.failures).toHaveLength(1);
    expect(failed.failures[0]).toMatch(/^worker 1 \(pid \d+: .*\) exited with status 3/);
    expect(failed.stderr).toEqual(['worker 1: first', 'worker 1: bad things']);
    expect(failed.message).toContain('worker 1: bad things');
    expect(failed.summary?.status).toBe(1);
  });

  it("stderr: a Writable gets the workers' lines; a failure's line goes to the reporter", async () => {
    const stderr = sink();
    const reporter = sink();
    const error = await rejection(
      fan(
        { command: 'echo oops >&2; exit 2', workers: 1, tag: true, stderr, reporter },
        { input: Readable.from(['a\n']), output: sink() },
      ),
    );
    expect(stderr.text()).toBe('1\toops\n');
    expect(reporter.text()).toMatch(
      /^manifold: worker 1 \(pid \d+: .*\) exited with status 2.*\n$/,
    );
    expect((error as RunError).stderr).toEqual([]);
  });

  it('verbose, progress, stats and the job log go to the reporter; stats to a file as well', async () => {
    const dir = tempDir();
    const said: string[] = [];
    const reporter = { write: (text: string) => said.push(text), isTTY: true };
    const summary = await fan(
      { command: ['cat'], merge: 'ordered', verbose: true, progress: true, stats: '-', reporter },
      { input: Readable.from(['a\nb\n']), output: sink() },
    );
    const text = said.join('');
    expect(text).toContain('manifold: merge ordered needs each output tied to its block');
    expect(text).toMatch(/\rin 4 B 2 rec \| out 4 B 2 rec \|/);
    expect(text).toContain('\x1b[K\n');
    const document = said.find((part) => part.startsWith('{'))!;
    expect(JSON.parse(document).totals).toEqual(summary.totals);
    // The job log's rows too, each taking the progress line off first: the rows went to the
    // caller's process.stderr, after the line's text.
    said.length = 0;
    await fan(
      { command: ['cat'], joblog: '-', progress: true, reporter },
      { input: Readable.from(['a\nb\n']), output: sink() },
    );
    // A row may follow a drawn line (a tick came first under load): it is then taken off by
    // '\r\x1b[K', which the row starts after.
    const rows = said.join('').replaceAll('\r\x1b[K', '\n');
    expect(rows).toMatch(/^Seq\tHost\t/m);
    expect(rows).toMatch(/^1\t:\t[\d.]+\t/m);
    await fan(
      { command: ['cat'], stats: join(dir, 'stats.json') },
      { input: Readable.from(['a\n']), output: sink() },
    );
    expect(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')).totals.recordsOut).toBe(1);
  });

  it('an AbortSignal stops the run: the workers are gone when it rejects with AbortError', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const input = new Readable({ read() {} });
    input.push('x\n');
    const running = fan(
      { command: [fixture('sig-cat')], workers: 3, dispatch: 'broadcast', env: { MF_PIDS: dir } },
      { input, output: sink(), signal: controller.signal },
    );
    expect(await holdsWithin(() => pidsIn(dir).length === 3, 10_000)).toBe(true);
    const procs = procsOf(pidsIn(dir));
    controller.abort(new Error('enough'));
    const error = await rejection(running);
    expect(error.name).toBe('AbortError');
    expect(error.code).toBe('manifold.aborted');
    expect((error.cause as Error).message).toBe('enough');
    expect(await leftovers(procs, 0)).toEqual([]);
  });

  it('an AbortSignal aborted already starts nothing', async () => {
    const error = await rejection(
      fan(
        { command: ['cat'] },
        { input: Readable.from(['a\n']), output: sink(), signal: AbortSignal.abort() },
      ),
    );
    expect(error.code).toBe('manifold.aborted');
  });

  it('an output destroyed early rejects with manifold.outputClosed', async () => {
    const out = new Writable({
      write(_chunk, _encoding, done) {
        done();
        out.destroy();
      },
    });
    const error = await rejection(
      fan(
        { command: ['cat'], workers: 1, block: 16 },
        { input: Readable.from([lines(50000)]), output: out },
      ),
    );
    expect(error.code).toBe('manifold.outputClosed');
  });

  it('fan after fan to process.stdout: it is written, never ended, and no listener piles up', async () => {
    const result = await runApiScript(`
      import { Readable } from 'node:stream';
      for (let i = 0; i < 15; i++) {
        await fan({ command: ['cat'], workers: 1 }, { input: Readable.from([i + '\\n']), output: process.stdout });
      }
      process.stdout.write('end\\n');
    `);
    const numbers = Array.from({ length: 15 }, (_, i) => `${i}\n`).join('');
    expect(result).toEqual({ exitCode: 0, stdout: `${numbers}end`, stderr: '' });
  });

  it("writes nothing to the process's stdout or stderr, even when a worker fails", async () => {
    const result = await runApiScript(`
      import { Readable, Writable } from 'node:stream';
      const out = new Writable({ write(c, e, done) { done(); } });
      await fan({ command: ['cat'], workers: 2 }, { input: Readable.from(['a\\nb\\n']), output: out });
      const failed = await fan(
        { command: 'echo noisy >&2; exit 1', workers: 2, perBlock: true, block: 2 },
        { input: Readable.from(['a\\nb\\nc\\n']), output: new Writable({ write(c, e, done) { done(); } }) },
      ).catch((error) => error);
      if (failed.code !== 'manifold.failure') process.exit(3);
      if (!failed.stderr.includes('worker 1: noisy') && !failed.stderr.includes('worker 2: noisy')) process.exit(4);
    `);
    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });
});
