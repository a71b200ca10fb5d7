import { Command } from 'commander';
import { ExitCode } from '../../filters/index.js';
import { tableBuildCommand } from './table-build.js';
import { tableGetCommand, tableStatCommand } from './table-read.js';
import { tableServeCommand } from './table-serve.js';

type Run = (status: Promise<number>) => void;

/** The subcommands of `manifold table`, each made by its own file: one line adds one. */
const SUBCOMMANDS: ((run: Run) => Command)[] = [
  tableBuildCommand,
  tableGetCommand,
  tableStatCommand,
  tableServeCommand,
];

/** `manifold table`: build shared lookup tables, and read them by hand (docs/tables.md). */
export function tableCommand(run: Run): Command {
  const command = new Command('table')
    .description(
      'Build shared lookup tables (LMDB files every worker maps: one copy in memory) and read them.',
    )
    .addHelpText(
      'after',
      `
Exit status: 0 success; 1 a failure (a record without its key, a duplicate key, a key not in
the table); 2 usage error, or no table at the path. See docs/tables.md's faults.

Examples:
  manifold table build users.tsv --key field:1 -o users.mft
  manifold fan --table users=users.mft -- mf-join --table users --key field:3
  manifold table get users.mft u1001 u1002
  manifold table stat users.mft

See docs/tables.md.`,
    );
  // `manifold table` alone: the help on stderr, and the usage status, as `manifold` alone.
  command.action(() => {
    command.outputHelp({ error: true });
    run(Promise.resolve(ExitCode.usage));
  });
  for (const make of SUBCOMMANDS) {
    command.addCommand(
      make(run)
        .exitOverride()
        .configureOutput({ outputError: () => {} }),
    );
  }
  return command;
}
