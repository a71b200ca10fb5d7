import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture, manifold, root, run } from '../helpers.js';
import { decode, encode, framingOf } from '../support/framing.js';
import { HANG_MS, SEED } from '../support/property.js';
import { finish, quote, spawnShell } from '../support/spawn.js';
import { makeDir } from '../support/temp.js';

// A thread's output comes back in the memory it was encoded in, framed where it lies, in runs
// manifold lends to the sink (filters/sdk/thread.ts, workers/thread/transport.ts): a run cut,
// misplaced or given back too early loses or corrupts output with no error. So the output of
// `manifold fan --threads` must be the bytes one process of the same filter module gives,
// whatever the framing, block size, merge and sink, for output of every shape
// (fixtures/thread-shapes.js: dropped, passed on, Buffers made elsewhere, same size, shrunk,
// grown past the block and past the output memory, several records for one, empty, flushed).
// Seeded as fan-property's cases are: every case drawn runs; MANIFOLD_SEED and MANIFOLD_RUNS
// draw others and more; a failure prints the seed and the case as a shell command.

interface ThreadCase {
  framing: string;
  records: Buffer[];
  text: boolean;
  /** What the filter gives at the end of its input (small: three records; big: 5 MiB more). */
  flush: '' | 'small' | 'big';
  block: number;
  workers: number;
  merge: 'ready' | 'ordered';
  /** Where manifold's stdin comes from: a file (read by ranges into memory given to threads) or a pipe. */
  input: 'file' | 'pipe';
  /** Where manifold's stdout goes: a pipe read at once or slowly, a file, or a socket. */
  sink: 'pipe' | 'slow' | 'file' | 'socket';
}

/**
 * A case taking longer than this is taken as hung: some give 20 MiB or more through a slow
 * reader, which took past 10 s at a load of 16 on two cores.
 */
const CASE_MS = 3 * HANG_MS;

const FRAMINGS = ['lines', 'nul', 'delim:;;', 'frames', 'fixed:12', 'fixed:64', 'ndjson'];
/** d drop, k as it came, b a Buffer made elsewhere, u same size, s shrunk, g grown, m several, e empty. */
const SHAPES = 'dkbusgmex';
const ASCII = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A record's bytes after its shape letter: any bytes but delimiters where it may, else ASCII. */
function bodyOf(framing: string, length: number, seed: number, wide: boolean): Buffer {
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    const n = (seed + i * 2654435761) >>> 0;
    body[i] = wide && n % 7 === 0 ? 0x80 + (n % 128) : ASCII.charCodeAt(n % ASCII.length);
  }
  // Text of several UTF-8 bytes per character, where a framing takes any bytes.
  if (wide && length >= 2 && !framing.startsWith('fixed:')) body.set([0xc3, 0xa9], 0);
  return body;
}

/** One record as drawn: its shape, its length, a seed for its bytes. */
const recordArb = fc.record({
  shape: fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom(...SHAPES) },
    // 5 MiB of output from one record: past the output memory, sent before its block ends.
    { weight: 1, arbitrary: fc.constant('h') },
  ),
  length: fc.oneof(
    { weight: 12, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 3, arbitrary: fc.integer({ min: 41, max: 2_000 }) },
    // Grown eightfold, a few of these outgrow a block's output memory (4 MiB).
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 200_000 }) },
  ),
  seed: fc.nat(),
});

function recordOf(
  framing: string,
  { shape, length, seed }: { shape: string; length: number; seed: number },
): Buffer {
  if (framing.startsWith('fixed:')) {
    const size = Number(framing.slice(6));
    return Buffer.concat([Buffer.from(shape), bodyOf(framing, size - 1, seed, false)]);
  }
  const body = bodyOf(framing, length, seed, framing !== 'ndjson');
  // An ndjson record is a JSON string, shaped by the byte after its quote.
  if (framing === 'ndjson') return Buffer.from(`"${shape}${body.toString('latin1')}"`);
  return Buffer.concat([Buffer.from(shape), body]);
}

const caseArb: fc.Arbitrary<ThreadCase> = fc
  .record({
    framing: fc.constantFrom(...FRAMINGS),
    records: fc.array(recordArb, { maxLength: 120 }),
    text: fc.boolean(),
    flush: fc.constantFrom<'' | 'small' | 'big'>('', 'small', 'big'),
    block: fc.constantFrom(16, 100, 1024, 16 * 1024, 256 * 1024, 1024 * 1024, 3 * 1024 * 1024),
    workers: fc.integer({ min: 1, max: 3 }),
    merge: fc.constantFrom<'ready' | 'ordered'>('ready', 'ordered'),
    input: fc.constantFrom<'file' | 'pipe'>('file', 'pipe'),
    sink: fc.constantFrom<ThreadCase['sink']>('pipe', 'slow', 'file', 'socket'),
  })
  .map((drawn) => ({
    ...drawn,
    records: drawn.records.map((record) => recordOf(drawn.framing, record)),
    // Each thread flushes at its end: one thread, as one process, or the counts differ.
    flush: drawn.workers === 1 ? drawn.flush : '',
  }));

const inputOf = (c: ThreadCase) =>
  encode(framingOf(c.framing === 'ndjson' ? 'lines' : c.framing), c.records);

function envOf(c: ThreadCase): Record<string, string> {
  return {
    ...(c.text ? { SHAPES_RECORDS: 'text' } : {}),
    ...(c.flush !== '' ? { SHAPES_FLUSH: c.flush } : {}),
    ...(c.framing.startsWith('fixed:') ? { SHAPES_SIZE: c.framing.slice(6) } : {}),
  };
}

const SHAPES_JS = fixture('thread-shapes.js');

function fanArgs(c: ThreadCase): string[] {
  return [
    'fan',
    ...['-j', String(c.workers), '--threads', '--split', c.framing, '--block', String(c.block)],
    ...['--merge', c.merge, '--', SHAPES_JS],
  ];
}

/** Reads its stdin a little at a time, a turn of the event loop after each read, into a file. */
const SLOW_READER =
  "const fs = require('node:fs'); const out = fs.openSync(process.argv[1], 'w'); " +
  'const piece = Buffer.alloc(4096); ' +
  'const next = () => fs.read(0, piece, 0, piece.length, null, (error, n) => { ' +
  'if (error || n === 0) return; fs.writeSync(out, piece, 0, n); setImmediate(next); }); next();';

/**
 * The case as one shell line, its files in `dir`: manifold's stdin a file or a pipe (cat), its
 * stdout a file, a pipe to cat, a pipe to a slow reader, or (socket) the test's own socket pair;
 * its exit status written to `status`, as the pipeline's is the reader's.
 */
function shellOf(c: ThreadCase, dir: string, local = (path: string) => path): string {
  const file = (name: string) => quote(join(dir, name));
  const env = Object.entries(envOf(c)).map(([key, value]) => `${key}=${value} `);
  const args = fanArgs(c).map((arg) => quote(arg === SHAPES_JS ? local(arg) : arg));
  const fan = `${env.join('')}${quote(process.execPath)} ${quote(local(manifold))} ${args.join(' ')}`;
  const fed = c.input === 'file' ? `${fan} < ${file('input')}` : `cat ${file('input')} | ${fan}`;
  const to = c.sink === 'file' ? ` > ${file('output')}` : '';
  const reader = {
    file: '',
    socket: '',
    pipe: ` | cat > ${file('output')}`,
    slow: ` | ${quote(process.execPath)} -e ${quote(SLOW_READER)} ${file('output')}`,
  }[c.sink];
  return `{ ${fed}${to}; echo $? > ${file('status')}; }${reader}`;
}

/** The output of the case's fan, read from its sink, and its exit and stderr. */
async function runFan(c: ThreadCase, dir: string) {
  writeFileSync(join(dir, 'input'), inputOf(c));
  const result = await finish(spawnShell(shellOf(c, dir)), CASE_MS);
  const status = join(dir, 'status');
  const exitCode = existsSync(status) ? Number(readFileSync(status, 'latin1')) : null;
  const stdout = c.sink === 'socket' ? result.stdout : readFileSync(join(dir, 'output'));
  return { ...result, exitCode, stdout };
}

/** The output of the filter module run as one process over the whole input. */
async function runAlone(c: ThreadCase) {
  return run(SHAPES_JS, ['--split', c.framing], inputOf(c), {
    env: { ...process.env, ...envOf(c) },
  });
}

/** The output records, sorted: a ready merge with several threads orders blocks as they end. */
function sortedRecords(c: ThreadCase, bytes: Buffer): string[] {
  const framing = framingOf(c.framing === 'ndjson' ? 'lines' : c.framing);
  return decode(framing, bytes)
    .map((record) => record.toString('latin1'))
    .sort();
}

async function problemsOf(c: ThreadCase, dir: string): Promise<string[]> {
  const [fan, alone] = await Promise.all([runFan(c, dir), runAlone(c)]);
  const problems: string[] = [];
  if (alone.exitCode !== 0 || alone.stderr !== '')
    problems.push(`one process: exit ${alone.exitCode}: ${alone.stderr.slice(0, 500)}`);
  if (fan.hung) problems.push('the fan hung');
  if (fan.exitCode !== 0 || fan.stderr !== '')
    problems.push(`the fan: exit ${fan.exitCode}: ${fan.stderr.slice(0, 500)}`);
  const inOrder = c.merge === 'ordered' || c.workers === 1;
  if (inOrder ? !fan.stdout.equals(alone.stdout) : !sameRecords(c, fan.stdout, alone.stdout)) {
    problems.push(
      `output differs${inOrder ? '' : ' (as sorted records)'}: ${fan.stdout.length} bytes, one process ${alone.stdout.length}; first difference at byte ${firstDifference(fan.stdout, alone.stdout)}`,
    );
  }
  return problems;
}

function sameRecords(c: ThreadCase, a: Buffer, b: Buffer): boolean {
  const [x, y] = [sortedRecords(c, a), sortedRecords(c, b)];
  return x.length === y.length && x.every((record, i) => record === y[i]);
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** The shell command that runs the case again from the package's folder, its files in `dir`. */
function commandOf(c: ThreadCase, dir: string): string {
  writeFileSync(join(dir, 'input'), inputOf(c));
  const line = shellOf({ ...c, sink: c.sink === 'socket' ? 'pipe' : c.sink }, dir, (path) =>
    relative(root, path),
  );
  return `${line}; od -c ${quote(join(dir, 'output'))} | tail`;
}

/** Cases that stood for a shape the drawn ones might miss. */
const base: ThreadCase = {
  framing: 'lines',
  records: [],
  text: false,
  flush: '',
  block: 16,
  workers: 1,
  merge: 'ordered',
  input: 'file',
  sink: 'file',
};
const examples: ThreadCase[] = [
  // Output past 4 MiB in one block, among small records, into the lending sink.
  {
    ...base,
    records: ['uab', 'h12', 'kcd', 'gef', 'h34', 'b56'].map((r) => Buffer.from(r)),
    text: true,
    flush: 'big',
    block: 64,
    workers: 1,
  },
  // Every block's output grown past the output memory, Buffer records between.
  {
    ...base,
    framing: 'nul',
    records: Array.from({ length: 12 }, (_, i) =>
      Buffer.concat([Buffer.from(i % 3 === 0 ? 'b' : 'g'), bodyOf('nul', 100_000, i, true)]),
    ),
    text: true,
    block: 256 * 1024,
    workers: 2,
    input: 'pipe',
    sink: 'slow',
  },
];

const RUNS = Math.max(1, Math.round(24 * Number(process.env.MANIFOLD_RUNS ?? 1)));
const OFFSET = 60;
const SHRINK_MS = 30_000;

describe('fan --threads: output of every shape, as one process gives it', () => {
  it(
    'the same bytes as one process, any framing, block, merge, -j and sink',
    async () => {
      let failedAt: number | undefined;
      const property = fc.asyncProperty(caseArb, async (c) => {
        // Shrinking past its time: the cases left pass untried, so fast-check stops there.
        if (failedAt !== undefined && performance.now() - failedAt >= SHRINK_MS) return;
        const { dir, remove } = makeDir('manifold-thread-out-');
        const problems = await problemsOf(c, dir).finally(remove);
        if (problems.length > 0) {
          failedAt ??= performance.now();
          throw new Error(problems.join('\n  '));
        }
      });
      const seed = SEED + OFFSET;
      const details = await fc.check(property, {
        seed,
        numRuns: RUNS,
        examples: examples.map((c): [ThreadCase] => [c]),
      });
      if (!details.failed) return;
      const [c] = details.counterexample ?? [];
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : '';
      const shown =
        c === undefined ? 'no case' : commandOf(c, makeDir('manifold-thread-case-').dir);
      expect.fail(
        `seed ${seed} (MANIFOLD_SEED=${SEED}), ${details.numRuns} runs, ${details.numShrinks} shrinks:\n  ${cause}\n  ${shown}`,
      );
    },
    (RUNS + examples.length) * CASE_MS + SHRINK_MS + 2 * CASE_MS,
  );
});
