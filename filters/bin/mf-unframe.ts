#!/usr/bin/env node
import { quoteName, RecordError } from '../errors.js';
import { delimiterProblem } from '../framing/delimiter-in.js';
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
    const why = delimiterProblem(record, delimiter);
    if (why !== null) {
      throw new RecordError(
        { input: context.input, record: context.recordNumber },
        `frame ${why} the output delimiter ${quoteName(delimiter.toString())}; choose another with --join (nul, delim:<string>, frames)`,
      );
    }
    return record;
  },
}).main();
