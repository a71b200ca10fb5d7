import { Command } from 'commander';

type Run = (status: Promise<number>) => void;

const load = () => import('./table-read-run.js');

/** `manifold table get`. */
export function tableGetCommand(run: Run): Command {
  return new Command('get')
    .description('Print the value of each key, one per line (every value, with --duplicates all).')
    .argument('<table>', 'the table (a directory made by manifold table build)')
    .argument('<key...>', 'the keys to look up')
    .option('--with-key', 'print each value as <key> TAB <value>')
    .addHelpText(
      'after',
      `
A key that is not in the table is named on stderr; the others are printed, then the exit
status is 1.

Examples:
  manifold table get users.mft u1001
  manifold table get --with-key users.mft u1001 u1002 u1003`,
    )
    .action((table: string, keys: string[], options: { withKey?: boolean }) =>
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
