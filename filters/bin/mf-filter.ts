#!/usr/bin/env node
import { compileExpression } from '../expr.js';
import { defineFilter } from '../sdk/define.js';
import { isThenable } from '../sdk/emit.js';

type Test = (record: unknown) => unknown;

defineFilter<'buffer' | 'json', Test>({
  name: 'mf-filter',
  description:
    'Keep the records for which a JavaScript expression of r (the record) and n (its number) is truthy.\n' +
    'Kept records are written byte for byte as they were read.',
  records: (options) => (options.json ? 'json' : 'buffer'),
  // Records are tested or copied into the output, never kept: a read's memory serves again.
  keepsRecords: false,
  configure: (command) =>
    command
      .argument('<expression>', 'JavaScript expression of r and n')
      .option('--json', 'r is the parsed ndjson value (input framing defaults to ndjson)')
      .addHelpText(
        'after',
        `
Examples:
  mf-filter 'r.includes("ERROR")'               like grep -F ERROR
  mf-filter 'n % 2 === 1'                       every other line
  mf-filter --json 'r.status >= 500'            JSON objects with a server error`,
      ),
  setup(context) {
    const test = compileExpression(context.args[0]!);
    context.state =
      context.options.json === true
        ? (record) => test(record, context.recordNumber)
        : (record) => test((record as Buffer).toString('utf8'), context.recordNumber);
  },
  transform: (record, context) => {
    const kept = context.state(record);
    if (!isThenable(kept)) return kept ? record : undefined;
    // A promise is awaited, as mf-map's value is: its value decides, not the promise (which is
    // truthy: every record was kept). The record is a view of memory read into again once the
    // call returns (keepsRecords: false): the one kept past it is a copy.
    const own = Buffer.isBuffer(record) ? Buffer.from(record) : record;
    return Promise.resolve(kept).then((keep) => (keep ? own : undefined));
  },
}).main();
