#!/usr/bin/env node
import { RecordError } from '../errors.js';
import { defineFilter } from '../sdk/define.js';

defineFilter<'buffer', Buffer | null>({
  name: 'mf-unframe',
  description:
    'Turn length-prefixed frames into delimited records (lines by default).\n' +
    'A frame that contains the output delimiter is an error, since it would not come back as one record.',
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
    if (delimiter !== null && record.includes(delimiter)) {
      throw new RecordError(
        { input: context.input, record: context.recordNumber },
        `frame contains the output delimiter ${JSON.stringify(delimiter.toString())}; choose another with --join (nul, delim:<string>, frames)`,
      );
    }
    return record;
  },
}).main();
