#!/usr/bin/env node
import { quoteName, RecordError } from '../errors.js';
import { delimiterProblem } from '../framing/delimiter-in.js';
import { defineFilter } from '../sdk/define.js';

defineFilter<'buffer', Unframing>({
  name: 'mf-unframe',
  description:
    'Turn length-prefixed frames into delimited records (lines by default).\n' +
    'A frame that contains the output delimiter (or ends with the start of one that can overlap ' +
    'itself, as "xA" before "AA"), or under --join lines:N does not have N lines (fewer only in ' +
    'the last), is an error, since it would not come back as one record.',
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
    const { join } = context;
    context.state = {
      delimiter: join.kind === 'delimited' ? join.delimiter : null,
      lines: join.kind === 'multiline' ? join.lines : 0,
      short: 0,
    };
  },
  transform(record, context) {
    const state = context.state;
    const at = { input: context.input, record: context.recordNumber };
    const { delimiter, lines } = state;
    if (delimiter !== null) {
      const why = delimiterProblem(record, delimiter);
      if (why !== null) {
        throw new RecordError(
          at,
          `frame ${why} the output delimiter ${quoteName(delimiter.toString())}; choose another with --join (nul, delim:<string>, frames)`,
        );
      }
    }
    // start: and between: output the SDK's encoder checks for every filter (encoder-checks.ts).
    if (lines > 0) {
      const has = linesIn(record);
      if (state.short > 0 || has > lines) {
        throw new RecordError(
          at,
          `${state.short > 0 ? `a frame follows one of ${state.short} line${state.short === 1 ? '' : 's'}` : `frame has ${has} lines`}; --join lines:${lines} reads back ${lines} lines a record (fewer only in the last)`,
        );
      }
      if (has < lines) state.short = has;
    }
    return record;
  },
}).main();

interface Unframing {
  /** The output's delimiter, which no frame may hold; null for other framings. */
  delimiter: Buffer | null;
  /** Under lines:N, N; else 0. */
  lines: number;
  /** The lines of a frame of fewer than N so far, which only the last may be; else 0. */
  short: number;
}

/** The lines of a frame written with its LF after it: one more than the LFs in it. */
function linesIn(record: Buffer): number {
  let lines = 1;
  for (let at = record.indexOf(0x0a); at >= 0; at = record.indexOf(0x0a, at + 1)) lines++;
  return lines;
}
