#!/usr/bin/env node
import { Option } from 'commander';
import { quoteName, UsageError } from '../errors.js';
import { delimiterBytes, type Framing } from '../framing/spec.js';
import { isJsonSpec, parseKeySpec, refuseUnusedSeparator } from '../keys.js';
import { defineFilter } from '../sdk/define.js';
import type { CommandLine } from '../sdk/types.js';
import { type JoinMode, joinBytes, joinJson } from '../tables/join.js';

type Join = (record: unknown) => unknown;

const isJson = (framing: Framing | undefined) => framing?.kind === 'delimited' && framing.json;

/** The key: `--key`, else the table's own (the one table mf-join reads). */
const keyOf = (line: CommandLine) =>
  (line.options.key as string | undefined) ??
  (line.tables.length === 1 ? line.table(line.tables[0]!).meta.key : undefined);

defineFilter<'buffer' | 'json', Join>({
  name: 'mf-join',
  description:
    'Join each record with a shared table (manifold table build) by its key: inner keeps matches, ' +
    'left keeps all, anti keeps records with no match. A match is written as the record, a TAB and ' +
    'the value; in ndjson, the value is merged into the object, or put in the field --as names.',
  tables: [],
  // As in `manifold table build`: a json: key, given or the table's, reads ndjson unless --split
  // says otherwise; ndjson records are JSON.
  split: (line) => (isJsonSpec(keyOf(line)) ? 'ndjson' : undefined),
  records: (_options, { split }) => (isJson(split) ? 'json' : 'buffer'),
  // Records are tested or copied into the output, never kept: a read's memory serves again.
  keepsRecords: false,
  configure: (command) => {
    // The SDK's --table is repeatable; mf-join joins with exactly one table.
    const table = command.options.find((option) => option.long === '--table');
    if (table !== undefined) {
      table.description =
        'the table to join with: NAME=PATH, PATH (named by its file name), or NAME (its path from MANIFOLD_TABLE_<NAME>, as manifold fan --table passes it); exactly one';
    }
    return command
      .option(
        '--key <spec>',
        "the record's key: field:N, json:<dot.path> or whole (default: the table's); a json: key, given or the table's, makes the input framing default to ndjson",
      )
      .option(
        '--field-sep <c>',
        "field separator for field:N (default: the table's; tab, or an escape of delim: such as \\t or \\xHH)",
      )
      .addOption(
        new Option('--mode <mode>', 'inner, left or anti')
          .choices(['inner', 'left', 'anti'])
          .default('inner'),
      )
      .option(
        '--sep <c>',
        'between a record and its value (byte records): a string, tab, or the escapes of delim: such as \\t or \\xHH',
        '\t',
      )
      .option(
        '--as <field>',
        'ndjson: put the value in this field (default: merge an object value)',
      )
      .addHelpText(
        'after',
        `
Examples:
  mf-join --table users=users.mft --key field:3 < events.tsv
  mf-join --table users.mft --mode anti --key field:3 < events.tsv     events of unknown users
  mf-join --table users=users.mft --split ndjson --key json:user --as user < events.ndjson
  manifold fan --table users=users.mft -- mf-join --table users --key field:3`,
      );
  },
  setup(context) {
    if (context.tables.length !== 1) {
      throw new UsageError(
        'give exactly one table: --table NAME=PATH, --table PATH or --table NAME',
      );
    }
    const table = context.table(context.tables[0]!);
    const options = context.options;
    const separator =
      (options.fieldSep as string | undefined) ?? table.meta.fieldSeparator ?? undefined;
    const keyText = (options.key as string | undefined) ?? table.meta.key;
    const key = parseKeySpec(keyText, separator, '--key');
    // The table's own separator goes unused by another key; one given here would be ignored.
    refuseUnusedSeparator(options.fieldSep as string | undefined, [key], {
      option: '--field-sep',
      what: '--key',
      got: `--key is ${keyText}${options.key === undefined ? ", the table's" : ''}`,
    });
    const json = isJson(context.split);
    if (options.as !== undefined && !json)
      throw new UsageError('--as is for ndjson records (--split ndjson)');
    const join = {
      table,
      key,
      mode: options.mode as JoinMode,
      separator: separatorOf(String(options.sep)),
      as: (options.as as string | undefined) ?? null,
    };
    context.state = (json ? joinJson(join) : joinBytes(join)) as Join;
  },
  transform: (record, context) => context.state(record),
}).main();

/** --sep's bytes: `tab`, or a string with the escapes of a `delim:` string (`\t`, `\xHH`). */
function separatorOf(text: string): Buffer {
  return text === 'tab' ? Buffer.from('\t') : delimiterBytes(text, `--sep ${quoteName(text)}`);
}
