import { describeError, exitCodeOf, RecordError } from '../errors.js';
import { createDecoder } from '../framing/decoder.js';
import { RecordEncoder } from '../framing/encoder.js';
import { InfoShown, parseCommandLine } from './cli.js';
import { ClosedOutput, OutputWriter, readChunks } from './io.js';
import { type Batch, RecordReader, SKIP } from './records.js';
import type { FilterContext, FilterSpec, Output, RecordKind } from './types.js';

/** Output waiting past this many bytes is written before the rest of a read is transformed. */
const FLUSH_AT = 4 * 1024 * 1024;
const INPUT = 'stdin';

/**
 * Runs a filter over stdin and stdout and resolves to its exit status: 0 when done or when
 * downstream closed the output, 1 for a record or I/O error, 2 for a usage error. Errors are
 * reported on stderr in one line, `<filter>: <input>:<record>: <message>`.
 */
export async function runFilter<S>(
  spec: FilterSpec<RecordKind, S>,
  argv: string[],
): Promise<number> {
  try {
    await execute(spec, argv);
    return 0;
  } catch (error) {
    if (error instanceof ClosedOutput || error instanceof InfoShown) return 0;
    process.stderr.write(`${spec.name}: ${describeError(error)}\n`);
    if (process.env.MANIFOLD_DEBUG && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    return exitCodeOf(error);
  }
}

async function execute<S>(spec: FilterSpec<RecordKind, S>, argv: string[]): Promise<void> {
  const parsed = parseCommandLine(spec as FilterSpec<RecordKind, unknown>, argv);
  const context: FilterContext<S> = {
    name: spec.name,
    options: parsed.options,
    args: parsed.args,
    split: parsed.split,
    join: parsed.join,
    input: INPUT,
    recordNumber: 0,
    state: undefined as S,
  };
  await spec.setup?.(context);

  const decoder = createDecoder(parsed.split, { input: INPUT, maxRecord: parsed.maxRecord });
  const reader = new RecordReader(decoder, parsed.split, parsed.join, parsed.kind, INPUT);
  const encoder = new RecordEncoder(parsed.join);
  const writer = new OutputWriter();
  const handle = spec.batch ? handleBatch : handleEach;
  const encode = (first: Buffer, last: Buffer) => decoder.encoded(first, last);

  let failure: unknown = null;
  try {
    for await (const chunk of readChunks()) {
      await handle(spec, context, reader.read(chunk), encoder, writer, encode);
      await writer.write(encoder.take());
    }
    await handle(spec, context, reader.read(null), encoder, writer, encode);
    if (spec.flush) {
      context.recordNumber = decoder.count;
      const output = await spec.flush(context);
      emit(output, encoder, context);
    }
  } catch (error) {
    failure = error;
  }
  // Records done before a failure are written, as a Unix filter's would be; the first error wins.
  try {
    await writer.write(encoder.take());
  } catch (error) {
    failure ??= error;
  }
  if (failure !== null) throw failure;
}

type Handler = <S>(
  spec: FilterSpec<RecordKind, S>,
  context: FilterContext<S>,
  batch: Batch,
  encoder: RecordEncoder,
  writer: OutputWriter,
  encode: (first: Buffer, last: Buffer) => Buffer,
) => Promise<void>;

/**
 * The per-record loop. Records returned unchanged inside the batch's span are not encoded one by
 * one: they are counted, and the run of them is written as one slice of the input.
 */
const handleEach: Handler = async (spec, context, batch, encoder, writer, encode) => {
  const { records, first, spanStart } = batch;
  const transform = spec.transform;
  let run = -1;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record === SKIP) {
      if (run >= 0) encoder.addEncoded(encode(records[run] as Buffer, records[i - 1] as Buffer));
      run = -1;
      continue;
    }
    let output: Output = record;
    if (transform !== undefined) {
      context.recordNumber = first + i;
      try {
        output = transform(record as never, context);
        if (output !== record && isThenable(output)) output = await output;
      } catch (error) {
        if (run >= 0) encoder.addEncoded(encode(records[run] as Buffer, records[i - 1] as Buffer));
        throw recordFailure(context, error);
      }
    }
    if (output === record && i >= spanStart) {
      if (run < 0) run = i;
      continue;
    }
    if (run >= 0) {
      encoder.addEncoded(encode(records[run] as Buffer, records[i - 1] as Buffer));
      run = -1;
    }
    if (output === record && batch.originals.length > 0 && batch.originals[i] !== undefined) {
      encoder.addOriginal(batch.originals[i]!);
    } else {
      emit(output, encoder, context);
    }
    if ((i & 255) === 255 && encoder.pending > FLUSH_AT) await writer.write(encoder.take());
  }
  if (run >= 0) encoder.addEncoded(encode(records[run] as Buffer, records.at(-1) as Buffer));
};

const handleBatch: Handler = async (spec, context, batch, encoder) => {
  const { first } = batch;
  let records = batch.records;
  if (records.length === 0) return;
  if (records.includes(SKIP)) records = records.filter((record) => record !== SKIP);
  context.recordNumber = first;
  let outputs: Output[];
  try {
    outputs = await spec.batch!(records as never[], context);
  } catch (error) {
    throw recordFailure(
      context,
      error,
      ` (in the batch of records ${first}-${first + batch.records.length - 1})`,
    );
  }
  for (const output of outputs) emit(output, encoder, context);
};

/** Writes what a transform returned: nothing, one record, or each element of an array. */
function emit(output: Output, encoder: RecordEncoder, context: FilterContext<unknown>): void {
  if (output === undefined || output === null) return;
  try {
    if (Array.isArray(output)) {
      for (const item of output) if (item !== undefined && item !== null) encoder.add(item);
    } else {
      encoder.add(output);
    }
  } catch (error) {
    throw recordFailure(context, error);
  }
}

function recordFailure(context: FilterContext<unknown>, error: unknown, where = ''): RecordError {
  if (error instanceof RecordError) return error;
  return new RecordError(
    { input: context.input, record: context.recordNumber },
    `${describeError(error)}${where}`,
    { cause: error },
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value instanceof Promise ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function')
  );
}
