import { Command, Option } from 'commander';
import { DUPLICATES_POLICIES } from '../../filters/tables/meta.js';

type Run = (status: Promise<number>) => void;

/** The build itself loads on demand, lmdb with it: `manifold fan` starts without them. */
const load = () => import('./table-build-run.js');

/** `manifold table build`. */
export function tableBuildCommand(run: Run): Command {
  return new Command('build')
    .description(
      'Build a table from records: each record’s key maps to its value (the record by default).',
    )
    .usage('<input...> --key <spec> -o <table> [options]')
    .argument('<input...>', "files of records ('-' for stdin), each named once")
    .requiredOption('-o, --output <table>', 'the table to write (a directory), replaced at success')
    .requiredOption('--key <spec>', 'the key of each record: field:N, json:<dot.path> or whole')
    .option('--value <spec>', 'what the key maps to: whole, field:N or json:<dot.path>', 'whole')
    .option(
      '--split <framing>',
      'input framing: lines, nul, delim:<string>, ndjson, frames, fixed:<bytes>, or lines:<n>, start:<s>, between:<end>|<start> (default: lines; ndjson for a json: key)',
    )
    .option(
      '--field-sep <c>',
      'field separator for field:N (default: runs of blanks): a character, tab, or an escape of delim: such as \\t or \\xHH',
    )
    .addOption(
      new Option(
        '--duplicates <policy>',
        'a key seen again: error (naming both records), keep the first, the last, or all (in input order)',
      )
        .choices(DUPLICATES_POLICIES)
        .default('error'),
    )
    .option(
      '--shards <n>',
      'split the table by the hash --dispatch hash uses, for manifold fan -j <n>',
      '1',
    )
    .option('--max-record <size>', 'largest record accepted, e.g. 1M, 256M', '64M')
    .option(
      '--memory <size>',
      'keys and values held in memory to be written in key order (fastest); a bigger table is written in several runs, slower',
      '2G',
    )
    .option('--progress', 'show records and bytes read on stderr when it is a terminal')
    .addHelpText(
      'after',
      `
Prints a summary line on stderr at the end: records, distinct keys, duplicates, bytes, time.

Examples:
  manifold table build users.tsv --key field:1 --field-sep tab -o users.mft
  manifold table build products.csv --key field:2 --field-sep , --value field:4 -o prices.mft
  manifold table build users.ndjson --key json:id -o users.mft
  manifold table build visits.tsv --key field:1 --duplicates all -o visits.mft
  manifold table build users.tsv --key field:1 --shards 4 -o users4.mft
      (then: manifold fan -j 4 --dispatch hash --key field:1 --table users=users4.mft -- ...)
  zcat ranges.tsv.gz | manifold table build - --key field:1 -o ranges.mft
  find src -print0 | manifold table build - --split nul --key whole --progress -o files.mft`,
    )
    .action((inputs: string[], options: Record<string, unknown>) =>
      run(load().then((m) => m.runTableBuild(inputs, options))),
    );
}
