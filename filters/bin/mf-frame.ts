#!/usr/bin/env node
import { defineFilter } from '../sdk/define.js';

defineFilter({
  name: 'mf-frame',
  description:
    'Turn delimited records (lines by default) into length-prefixed frames:\n' +
    'each record becomes a 4-byte big-endian length followed by its bytes.',
  split: 'lines',
  join: 'frames',
  configure: (command) =>
    command.addHelpText(
      'after',
      `
Examples:
  mf-frame < lines.txt > lines.frames           one frame per line, newlines dropped
  find . -print0 | mf-frame --split nul         one frame per file name
  mf-frame | mf-unframe                         gives back the lines`,
    ),
}).main();
