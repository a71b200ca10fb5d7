#!/usr/bin/env node
import { compileExpression } from '../expr.js';
import { defineFilter } from '../sdk/define.js';

type Expression = (record: unknown, number: number) => unknown;

defineFilter<'text' | 'json', Expression>({
  name: 'mf-map',
  description:
    'Replace each record with the value of a JavaScript expression of r (the record) and n (its number).\n' +
    'undefined or null drops the record; an array gives one record per element.',
  records: (options) => (options.json ? 'json' : 'text'),
  configure: (command) =>
    command
      .argument('<expression>', 'JavaScript expression of r and n')
      .option('--json', 'records are ndjson values (input and output framing default to ndjson)')
      .addHelpText(
        'after',
        `
Examples:
  mf-map 'r.toUpperCase()'                      upper-case every line
  mf-map 'r.split(",")'                         one output line per comma-separated field
  mf-map --json '({...r, total: r.a + r.b})'    add a field to every JSON object
  mf-map --json --join lines 'r.name'           print one field of each object as text`,
      ),
  setup(context) {
    context.state = compileExpression(context.args[0]!) as Expression;
  },
  transform: (record, context) => context.state(record, context.recordNumber),
}).main();
