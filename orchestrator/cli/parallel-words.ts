import type { CommanderError } from 'commander';
import { quoteWord } from '../../filters/errors.js';

/**
 * GNU parallel's (and xargs') options that `manifold fan` spells another way, or does without
 * being asked: a user who types `-k` or `--pipepart` out of habit is told what to write here,
 * instead of only that the option is unknown (or, for `--jobs`, commander's guess `--job`, the
 * queue's job name). Only options with an answer here are listed; parallel's own that manifold
 * has under the same name (`--block`, `--header`, `--tag`, `--halt`, `--timeout`...) are known.
 */
export const PARALLEL_SPELLINGS: [string[], string][] = [
  [['-k', '--keep-order'], 'is --merge ordered here'],
  [
    ['--pipe', '--spreadstdin'],
    "is what manifold fan does without it: stdin is cut into blocks (--per-block: a process for each block, as parallel's)",
  ],
  [
    ['--pipepart', '--pipe-part'],
    'is what manifold fan does without it when the input is a file (--input FILE, or < FILE): its blocks are byte ranges of it',
  ],
  [['-a', '--arg-file'], 'is --input FILE here'],
  [['--jobs', '-P', '--max-procs'], 'is -j, --workers N here'],
  [['--round-robin', '--roundrobin'], 'is --dispatch round-robin here'],
  [['--shard', '--bin'], 'is --dispatch hash --key field:N here'],
  [['--tee'], 'is --dispatch broadcast here (every worker gets every block)'],
  [['--block-size', '--bs'], 'is --block SIZE here'],
  [['--halt-on-error'], 'is --halt now, soon or never here'],
  [
    ['--line-buffer', '--linebuffer', '--lb', '--group', '--ungroup', '-u'],
    "is what manifold fan does without it: each worker's whole records are written as they come, never mixed (--merge ready)",
  ],
  [['--eta', '--bar'], 'is --progress here'],
  [['--colsep', '-C'], 'is --field-sep here (with --key field:N)'],
  [['-d', '--delimiter'], 'is --split delim:STRING here'],
  [['-S', '--sshlogin'], 'is --host here'],
  [['--slf', '--sshloginfile'], 'is --hosts-file here'],
  [['--transferfile', '--tf', '--basefile', '--bf'], 'is --transfer here'],
  [['-v'], 'is --verbose here'],
  [['--will-cite', '--citation', '--no-notice'], 'is not needed: manifold asks for no citation'],
  [
    ['-q', '--quote'],
    'is not needed: the command after -- runs as its words say, with no shell (--shell for one)',
  ],
  [['--regex'], 'is --regexp here (with --recstart, --recend)'],
  [
    ['--block-timeout', '--bt'],
    'is what manifold fan does without it: input that pauses goes on in a smaller block',
  ],
  [['-n', '--max-args'], 'is -N, --records N here (records a block)'],
  [
    ['--results', '--res', '--files', '--output-as-files', '--outputasfiles'],
    "is not here: for each block's output in a file of its own, --per-block --shell -- 'cat > out.$MANIFOLD_BLOCK'",
  ],
  [
    ['--dry-run', '--dryrun'],
    "is not here: a config's job is checked without running it by manifold check; --verbose says what a fan decides",
  ],
  [
    ['--compress'],
    'is not needed: output waits in memory, bounded by --merge-memory (a sorted merge spills past it), not in files',
  ],
  [
    ['--memfree', '--load', '--noswap', '--limit'],
    'is not here: -j, --workers N says how many run at once',
  ],
  [
    ['--resume', '--resume-failed', '--retry-failed'],
    "is not here: a fan's blocks are cut as it reads; --retries N runs a failed block again, and a --queue job is resumed by its --job name",
  ],
  [
    ['--xargs', '-X', '-m'],
    'is not here: manifold fan cuts a stream into blocks of records, it takes no arguments to spread',
  ],
  [['--ctag', '--color', '--colour'], "is --tag here (the worker's number, no colour)"],
  [['--ctagstring'], 'is --tagstring here (no colour)'],
  [['-l', '--max-lines'], 'is -L, --lines-per-record N here (records of N lines)'],
  [['--no-keep-order'], 'is what manifold fan does without it (--merge ready)'],
  [
    ['-r', '--no-run-if-empty'],
    'is what manifold fan does without it: a worker starts with its first block, so an empty input starts none',
  ],
  [
    ['--silent'],
    'is what manifold fan does without it: it prints no commands (--verbose says what it decides)',
  ],
  [
    ['--process-slot-var'],
    "is not needed: each worker's slot is in $MANIFOLD_WORKER, and {%} in its command",
  ],
  [
    [
      '-I',
      '--replace',
      '--plus',
      '--rpl',
      '--seqreplace',
      '--slotreplace',
      '--extensionreplace',
      '--er',
      '--basenamereplace',
      '--bnr',
      '--dirnamereplace',
      '--dnr',
      '--basenameextensionreplace',
      '--bner',
    ],
    "is not here: a fan's command has {#} (the block's number), {%} (the worker's slot) and, with --cat or --fifo, {} (the block's file)",
  ],
  [
    ['--skip-first-line'],
    'is not here: sed 1d | manifold fan ... drops the first line (--header 1 gives it to every block instead)',
  ],
  [
    ['--number-of-cpus', '--number-of-cores', '--number-of-threads', '--number-of-sockets'],
    'is not here: nproc prints the CPUs that -j, --workers counts (-j 100%: one worker for each)',
  ],
  [
    ['--workdir', '--wd'],
    "is not here: a host's workers start in its login's home folder, or with --transfer in the run's own folder there",
  ],
];

/** Each flag's predicate: `is --merge ordered here`. */
const SPELLINGS = new Map(
  PARALLEL_SPELLINGS.flatMap(([flags, here]) => flags.map((f) => [f, here])),
);

/**
 * `unknown option '-k': GNU parallel's -k is --merge ordered here`, for an option of GNU
 * parallel's that `manifold fan` spells otherwise (or a cluster it begins: `-kN1`); null for
 * any other error.
 */
export function parallelSpelling(error: CommanderError, path: string[]): string | null {
  if (error.code !== 'commander.unknownOption' || path.join(' ') !== 'manifold fan') return null;
  const word = /unknown option '([\s\S]*?)'/.exec(error.message)?.[1];
  if (word === undefined) return null;
  // A cluster of short flags or one with its value attached (-kN1, -afile) is its first flag's.
  const flag = word.startsWith('--') ? word.replace(/=[\s\S]*$/, '') : word.slice(0, 2);
  const here = SPELLINGS.get(flag);
  if (here === undefined) return null;
  return `unknown option ${quoteWord(word)}: GNU parallel's ${flag} ${here}`;
}
