#!/usr/bin/env node
import { ExitCode, ManifoldError, quoteName, RecordError, UsageError } from '../errors.js';
import { type Framing, recordDelimiter } from '../framing/spec.js';
import { isJsonSpec, KEY_HELP, parseKeySpec, refuseUnusedSeparator } from '../keys.js';
import {
  type Aggregate,
  addValue,
  OPERATIONS,
  type Operation,
  parseOperation,
  parseValueSpec,
  resultOf,
  type Value,
} from '../reduce.js';
import { createExtractor, createJsonExtractor, type Extractor } from '../reduce-extract.js';
import { defineFilter } from '../sdk/define.js';

interface State {
  operation: Operation;
  extract: (record: unknown) => [string, Value, string];
  keyEncoding: Extractor['keyEncoding'];
  groups: Map<string, Aggregate>;
  /** What ends each output line: a key holding it would read back as other keys. */
  delimiter: Buffer | null;
}

/**
 * Whether records come parsed: under ndjson with a json: key and a json: value, or none (count).
 * The SDK parses every ndjson record anyway (each must parse); the key and the value then come
 * from that one parse, where the record's bytes were parsed a second time for them.
 */
function readsParsed(split: Framing | undefined, options: Record<string, unknown>, field: unknown) {
  return (
    split?.kind === 'delimited' &&
    split.json &&
    isJsonSpec(options.key) &&
    (field === undefined || isJsonSpec(field))
  );
}

defineFilter<'buffer' | 'json', State>({
  name: 'mf-reduce',
  description:
    'Group records by key and print one "key<TAB>value" line per key, sorted by key (byte order).\n' +
    'The reducer after a hash partition: every record of a key must reach the same mf-reduce.',
  // As in `manifold table build`: a json: key or field reads ndjson unless --split says otherwise.
  split: ({ options, args: [, field] }) =>
    isJsonSpec(options.key) || isJsonSpec(field) ? 'ndjson' : undefined,
  records: (options, { split, args: [, field] }) =>
    readsParsed(split, options, field) ? 'json' : 'buffer',
  configure: (command) =>
    command
      .argument('<op>', OPERATIONS.join(', '))
      .argument(
        '[field]',
        'the numeric field for sum, min, max, mean: N, field:N, json:<path> or whole (the record) (decimal, as awk reads it: 1e3, .5, +5; not 0x10)',
      )
      .option(
        '--key <spec>',
        `what to group by: ${KEY_HELP} (a json: key or field makes the input framing default to ndjson)`,
        'whole',
      )
      .option(
        '--field-sep <char>',
        'split the fields of a field:N key or field on this character instead of runs of blanks (tab, or an escape of delim: such as \\t or \\xHH)',
      )
      .addHelpText(
        'after',
        `
Examples:
  mf-reduce count                               like sort | uniq -c, as "line<TAB>count"
  mf-reduce --key field:1 sum 3                 sum of field 3 per value of field 1
  mf-reduce --field-sep , --key field:2 mean 4  CSV: mean of column 4 per column 2
  mf-reduce --key json:user max json:ms         ndjson: slowest request per user`,
      ),
  setup(context) {
    const [op, field] = context.args as [string, string | undefined];
    const operation = parseOperation(op);
    const separator = context.options.fieldSep as string | undefined;
    const key = parseKeySpec(context.options.key as string, separator, '--key');
    if (operation === 'count' && field !== undefined) {
      throw new UsageError(`count takes no field (got ${quoteName(field)})`);
    }
    if (operation !== 'count' && field === undefined) {
      throw new UsageError(`${operation} needs a field: N, field:N or json:<path>`);
    }
    const value = field === undefined ? null : parseValueSpec(field, separator);
    refuseUnusedSeparator(separator, [key, value], {
      option: '--field-sep',
      what: '--key or field',
      got: `--key is ${context.options.key}, ${field === undefined ? 'no field' : `the field ${field}`}`,
    });
    const groups = new Map<string, Aggregate>();
    const delimiter = recordDelimiter(context.join);
    if (readsParsed(context.split, context.options, field)) {
      const extract = createJsonExtractor(key, value);
      context.state = { operation, extract, keyEncoding: 'utf8', groups, delimiter };
      return;
    }
    const extractor = createExtractor(key, value);
    const extract = (record: unknown) => extractor.extract(record as Buffer);
    const keyEncoding = extractor.keyEncoding;
    context.state = { operation, extract, keyEncoding, groups, delimiter };
  },
  transform(record, context) {
    const { groups, delimiter, keyEncoding } = context.state;
    const [key, value, text] = context.state.extract(record);
    if (addValue(groups, key, value, text) && delimiter !== null) {
      // Its line `key<TAB>value` would read back as other keys' lines.
      const bytes = Buffer.from(key, keyEncoding);
      if (bytes.includes(delimiter)) {
        throw new RecordError(
          { input: context.input, record: context.recordNumber },
          `key ${quoteName(bytes.toString())} contains the output delimiter ${quoteName(delimiter.toString())}; choose another with --join (nul, delim:<string>, frames)`,
        );
      }
    }
    return undefined;
  },
  flush(context) {
    const { groups, operation, keyEncoding } = context.state;
    const rows = [...groups].map(([name, aggregate]) => {
      const key = Buffer.from(name, keyEncoding);
      return { key, value: finiteResult(aggregate, operation, key.toString()) };
    });
    rows.sort((a, b) => Buffer.compare(a.key, b.key));
    return rows.map(({ key, value }) => Buffer.concat([key, Buffer.from(`\t${value}`)]));
  },
}).main();

/**
 * A key's result; a sum (or mean) of doubles past a double's largest stops the filter, as a
 * value past it does: awk prints `inf`, which no reader takes for a number.
 */
function finiteResult(aggregate: Aggregate, operation: Operation, key: string): Value | string {
  const value = resultOf(aggregate, operation);
  if (typeof value !== 'number' || Number.isFinite(value)) return value;
  throw new ManifoldError(
    'manifold.record',
    `the ${operation} of key ${quoteName(key)} is out of range (past a double's largest, ${Number.MAX_VALUE})`,
    { exitCode: ExitCode.failure },
  );
}
