import { Console } from 'node:console';
import { writeSync } from 'node:fs';
import { describeError, exitCodeOf, oneLine, RecordError, UsageError } from '../errors.js';
import { createDecoder } from '../framing/decoder.js';
import { RecordEncoder } from '../framing/encoder.js';
import { greetingMessage, PROTOCOL_NAME } from '../protocol.js';
import { isClosed, shownFailure, stdoutFailure } from '../shown.js';
import type { FromThread } from '../transfer.js';
import { InfoShown, manifoldVersion, readCommandLine } from './cli.js';
import { checkHooks } from './declaration.js';
import { resolveCommandLine } from './framings.js';
import { ClosedOutput, OutputWriter, readChunks, STDIN } from './io.js';
import { RecordLoop } from './loop.js';
import { runProtocol } from './protocol.js';
import { RecordReader } from './records.js';
import { Scratch } from './scratch.js';
import { StrayError, StrayErrors } from './stray.js';
import { claimThread, PortIO, threadPort, usageErrorPort } from './thread.js';
import type { FilterContext, FilterSpec, RecordKind } from './types.js';

const INPUT = STDIN;

/** `--help` or `--version` shown: null once written, or read by nobody any more; else why not. */
async function infoFailure(): Promise<Error | null> {
  const failure = await shownFailure();
  return failure === null || isClosed(failure.code) ? null : stdoutFailure(failure);
}

/**
 * Runs a filter over stdin and stdout and resolves to its exit status: 0 when done or when
 * downstream closed the output, 1 for a record or I/O error, 2 for a usage error. Errors are
 * reported on stderr in one line, `<filter>: <input>:<record>: <message>`, and a usage error,
 * commander's or one a filter's `setup` throws, as `<filter>: <message> (see '<filter> --help')`.
 * A promise the filter leaves rejected with no handler, or an exception thrown from a callback
 * of its own (a timer's), fails it too: `<filter>: unhandled rejection: <message>` (or
 * `uncaught exception: ...`; stray.ts).
 * In a thread of `manifold fan --threads`, the same filter serves the blocks manifold sends it
 * instead.
 */
export async function runFilter<S>(
  spec: FilterSpec<RecordKind, S>,
  argv: string[],
): Promise<number> {
  const stray = new StrayErrors();
  stray.start();
  try {
    await execute(spec, argv, stray);
    return 0;
  } catch (caught) {
    let error: unknown = caught;
    if (error instanceof ClosedOutput) return 0;
    if (error instanceof InfoShown) error = await infoFailure();
    if (error === null) return 0;
    const help = error instanceof UsageError ? ` (see '${spec.name} --help')` : '';
    const line = `${spec.name}: ${whose(error)}${oneLine(describeError(error))}${help}`;
    const port = everyWorkers(error) ? usageErrorPort() : null;
    if (port !== null) {
      const message: FromThread = { kind: 'usage-error', line };
      port.postMessage(message);
    } else {
      process.stderr.write(`${line}\n`);
    }
    // A stray error's own stack says only where it was heard of: its cause's says where.
    const shown = error instanceof StrayError ? error.cause : error;
    if (process.env.MANIFOLD_DEBUG && shown instanceof Error)
      process.stderr.write(`${shown.stack}\n`);
    return exitCodeOf(error);
  } finally {
    stray.stop();
  }
}

async function execute<S>(
  spec: FilterSpec<RecordKind, S>,
  argv: string[],
  stray: StrayErrors,
): Promise<void> {
  // Claimed before anything is awaited: the thread's loader looks for the claim as soon as the
  // module has run.
  const port = threadPort();
  if (port !== null) claimThread(spec.name);
  // Before anything can fail: manifold then knows a failure to come is an SDK filter's own.
  else if (asksProtocol(argv))
    writeSync(1, greetingMessage(manifoldVersion(), spec.flush !== undefined));
  checkHooks(spec as FilterSpec<RecordKind, unknown>);
  const served = port !== null || asksProtocol(argv);
  const read = readCommandLine(spec as FilterSpec<RecordKind, unknown>, argv, served);
  // The table code (and lmdb, when a table opens) loads only for filters that read tables.
  const tables =
    spec.tables === undefined
      ? null
      : new (await import('./tables.js')).FilterTables(
          spec.tables,
          (read.options.table as string[] | undefined) ?? [],
        );
  const table = (name: string) => {
    if (tables === null) {
      throw new UsageError(`${spec.name} reads no tables: declare them with tables: [...]`);
    }
    return tables.get(name);
  };
  const parsed = resolveCommandLine(spec as FilterSpec<RecordKind, unknown>, read, {
    tables: tables?.names ?? [],
    table,
  });
  const context: FilterContext<S> = {
    name: spec.name,
    options: parsed.options,
    args: parsed.args,
    split: parsed.split,
    join: parsed.join,
    input: INPUT,
    recordNumber: 0,
    state: undefined as S,
    tables: tables?.names ?? [],
    table,
  };
  if (port !== null && parsed.options.protocol === undefined) {
    throw new UsageError("in a thread, a filter serves manifold's blocks (--protocol manifold)");
  }
  // Under the protocol a process's stdout carries its messages: what the filter prints with
  // console.log goes to stderr, as a thread's does, instead of breaking them.
  if (parsed.options.protocol !== undefined && port === null) {
    globalThis.console = new Console(process.stderr, process.stderr);
  }
  stray.beginWait();
  try {
    await stray.race(spec.setup?.(context));
    // After setup: a usage error it finds (mf-join given two tables) is said before a missing table.
    tables?.openAll();
  } catch (error) {
    if (typeof error === 'object' && error !== null) atStart.add(error);
    throw error;
  } finally {
    stray.endWait();
  }
  if (parsed.options.protocol !== undefined) {
    const io = port === null ? undefined : new PortIO(port, spec.flush !== undefined);
    // A thread may be left wherever it waits (for its next block, say): nothing of a block that
    // fails is taken, and nothing is half written. A process's write to stdout may be.
    if (port !== null) stray.beginWait();
    await stray.race(runProtocol(spec, context, parsed, stray, io, port !== null));
    return;
  }

  const decoder = createDecoder(parsed.split, { input: INPUT, maxRecord: parsed.maxRecord });
  const reader = new RecordReader(decoder, parsed.split, parsed.join, parsed.kind, INPUT);
  reader.keepsRecords = spec.keepsRecords !== false;
  // Output text is encoded into memory used again once written, as read memory is (io.ts).
  const scratch = new Scratch();
  const encoder = new RecordEncoder(parsed.join, scratch);
  const writer = new OutputWriter(1, scratch);
  const writeOut = () => writer.write(encoder.take());
  const loop = new RecordLoop(
    spec,
    context,
    encoder,
    writeOut,
    (first, last) => decoder.encoded(first, last),
    stray,
  );

  const transformAll = async () => {
    const mayReuse = (memory: ArrayBufferLike) => writer.settled && reader.mayReuse(memory);
    for await (const chunk of readChunks(0, reader.readSize, mayReuse)) {
      await loop.run(reader.read(chunk));
      await writeOut();
      stray.check();
    }
    await loop.run(reader.read(null));
    await loop.flush(decoder.count);
    await stray.settle();
  };
  // A filter that ends itself with process.exit() has its finished records written first, as
  // C's exit() flushes stdio: they were lost, and exit(0) once enough was seen gave nothing.
  const salvage = () => {
    try {
      loop.salvage();
      void writer.write(encoder.take()).catch(() => {});
    } catch {
      // Exiting: a record that cannot be written now has no one to tell.
    }
  };
  process.once('exit', salvage);
  let failure: unknown = null;
  try {
    // A stray error cuts this short only where the filter's own code is awaited (loop.ts): no
    // write is under way then, and what was done before it is written below.
    await stray.race(transformAll());
  } catch (error) {
    failure = error;
  }
  // Records done before a failure are written, as a Unix filter's would be; the first error wins.
  try {
    await writer.write(encoder.take());
    // The process exits next: what a non-blocking stdout still queues must be out first.
    await writer.flushed();
  } catch (error) {
    failure ??= error;
  } finally {
    process.off('exit', salvage);
  }
  if (failure !== null) throw failure;
}

/**
 * `worker 2: ` for a failure that names no record (a flush that throws, an unhandled rejection)
 * in a worker of manifold fan (MANIFOLD_WORKER), thread or process: each worker fails on its
 * own, and the line pairs with manifold's `worker 2 (...) exited with status 1`. A record's
 * failure is placed by its number already; a usage error is every worker's alike.
 */
function whose(error: unknown): string {
  const worker = process.env.MANIFOLD_WORKER;
  if (!worker || error instanceof RecordError || everyWorkers(error)) return '';
  return `worker ${worker}: `;
}

/** Errors of a filter's start (its `setup`, its tables), before it read anything. */
const atStart = new WeakSet<object>();

/**
 * Whether `error` is every worker's alike, said once in a fan of threads (as a usage error): one
 * of the filter's start, which each worker started again meets again (a table not there).
 */
function everyWorkers(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    (typeof error === 'object' && error !== null && atStart.has(error))
  );
}

/** Whether manifold runs this process under its block protocol (`--protocol manifold`, last). */
function asksProtocol(argv: readonly string[]): boolean {
  const at = argv.lastIndexOf('--protocol');
  return (
    (at >= 0 && argv[at + 1] === PROTOCOL_NAME) || argv.includes(`--protocol=${PROTOCOL_NAME}`)
  );
}
