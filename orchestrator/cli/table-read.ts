import { Command } from 'commander';

type Run = (status: Promise<number>) => void;

/** `table get`'s options, as commander gives them. */
export interface GetOptions {
  withKey?: boolean;
  keysFrom?: string[];
  null?: boolean;
}

const load = () => import('./table-read-run.js');

/** `manifold table get`. */
export function tableGetCommand(run: Run): Command {
  return new Command('get')
    .description('Print the value of each key, one per line (every value, with --duplicates all).')
    .argument('<table>', 'the table (a directory made by manifold table build)')
    .argument('[key...]', 'the keys to look up')
    .option('--with-key', 'print each value as <key> TAB <value>')
    .option(
      '-f, --keys-from <file>',
      'also look up the keys in this file (- for stdin), one a line, as bytes: keys that are not UTF-8; given again, each file in turn, as grep -f',
      (file: string, files: string[] = []) => [...files, file],
    )
    .option('-0, --null', 'keys in the --keys-from file end with NUL, not newline')
    .addHelpText(
      'after',
      `
A key that is not in the table is named on stderr (bytes that are not text as \\xNN); the
others are printed, then the exit status is 1.

Examples:
  manifold table get users.mft u1001
  manifold table get --with-key users.mft u1001 u1002 u1003
  cut -f3 events.tsv | manifold table get users.mft --keys-from -   # the events' users
  find src -print0 | manifold table get -0 --keys-from - files.mft   # which were there`,
    )
    .action((table: string, keys: string[], options: GetOptions) =>
      run(load().then((m) => m.runTableGet(table, keys, options))),
    );
}

/** `manifold table stat`. */
export function tableStatCommand(run: Run): Command {
  return new Command('stat')
    .description('Describe a table: records, keys, size, shards, key spec, when built, from what.')
    .argument('<table>', 'the table (a directory made by manifold table build)')
    .option('--json', 'print its table.json instead')
    .addHelpText(
      'after',
      `
Examples:
  manifold table stat users.mft
  manifold table stat --json users.mft | jq .records`,
    )
    .action((table: string, options: { json?: boolean }) =>
      run(load().then((m) => m.runTableStat(table, options))),
    );
}
