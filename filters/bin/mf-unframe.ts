#!/usr/bin/env node
import { quoteName, RecordError } from '../errors.js';
import { defineFilter } from '../sdk/define.js';

defineFilter<'buffer', Buffer | null>({
  name: 'mf-unframe',
  description:
    'Turn length-prefixed frames into delimited records (lines by default).\n' +
    'A frame that contains the output delimiter (or ends with the start of one that can overlap ' +
    'itself, as "xA" before "AA") is an error, since it would not come back as one record.',
  split: 'frames',
  join: 'lines',
  configure: (command) =>
    command.addHelpText(
      'after',
      `
Examples:
  mf-unframe < lines.frames                     one line per frame
  mf-unframe --join nul | xargs -0 ls -l        NUL-separated, for xargs -0`,
    ),
  setup(context) {
    context.state = context.join.kind === 'delimited' ? context.join.delimiter : null;
  },
  transform(record, context) {
    const delimiter = context.state;
    if (delimiter === null) return record;
    const why = record.includes(delimiter)
      ? 'contains'
      : readsEarly(record, delimiter)
        ? 'ends with the start of'
        : null;
    if (why !== null) {
      throw new RecordError(
        { input: context.input, record: context.recordNumber },
        `frame ${why} the output delimiter ${quoteName(delimiter.toString())}; choose another with --join (nul, delim:<string>, frames)`,
      );
    }
    return record;
  },
}).main();

/**
 * Whether a delimiter that can overlap itself (`\n\n`, `AA`) would be found early, reaching
 * into the record's last bytes: `xA` then `AA` reads back as `x` and `A...`.
 */
function readsEarly(record: Buffer, delimiter: Buffer): boolean {
  const tail = record.subarray(Math.max(0, record.length - delimiter.length + 1));
  return Buffer.concat([tail, delimiter]).indexOf(delimiter) < tail.length;
}
