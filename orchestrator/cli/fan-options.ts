import { Option } from 'commander';
import { FAN_CHOICES, FAN_DEFAULTS, MAX_WORKERS } from '../options/fan-settings.js';

/** The options of `manifold fan`, as commander options, with their help. */
export function fanOptions(): Option[] {
  return [
    new Option(
      '-j, --workers <n>',
      `number of concurrent workers, at most ${MAX_WORKERS}; or, as parallel -j, +N, -N or N% of the CPUs`,
    ).default(FAN_DEFAULTS.workers, 'the number of CPUs'),
    new Option(
      '--split <framing>',
      "how records are cut (and the workers' output, unless --join says otherwise): lines, lines:<n>, nul, delim:<string>, start:<string>, between:<end>|<start>, start-re:<re>, delim-re:<re>, between-re:<end>|<start> (regular expressions: --regexp), ndjson, frames, fixed:<bytes>",
    ).default(FAN_DEFAULTS.split),
    new Option(
      '--join <framing>',
      "how the workers' output records are cut, when not as --split (same names)",
    ),
    new Option('-0, --null', 'records end with NUL: the same as --split nul'),
    new Option(
      '-L, --lines-per-record <n>',
      'records of n lines (FASTQ: 4), as parallel --pipe -L: the same as --split lines:<n>',
    ),
    new Option(
      '--recstart <string>',
      "records begin with <string> (as parallel's --recstart): --split start:<string>, or with --recend between:<end>|<start>",
    ),
    new Option(
      '--recend <string>',
      "records end with <string> (as parallel's --recend): --split delim:<string>, or with --recstart cut only where <string> is followed by the start string",
    ),
    new Option(
      '--regexp',
      "--recstart and --recend are regular expressions (JavaScript's, over the bytes; ^ and $ at any line's start and end), as parallel's --regexp: --split start-re:, delim-re: or between-re:",
    ),
    new Option(
      '--rrs, --remove-rec-sep',
      "give each block without its record separators: the --recend/--recstart strings (or --split's delimiter) between its records, at its start and at its end, as parallel's --rrs",
    ),
    new Option(
      '--block <size>',
      'target block size: 64K, 1M, 8M... (K = 1024, k = 1000, as parallel; a pipe or socket that pauses goes on in smaller blocks); from a file, -n: n blocks for each worker (as parallel --pipepart --block -1)',
    ).default(FAN_DEFAULTS.block),
    new Option(
      '-N, --records <n>',
      'blocks of exactly n records, the last fewer (as parallel --pipe -N), whatever their size; not with --block',
    ),
    new Option(
      '--group-by <spec>',
      'blocks end only where this key changes (field:N, json:<path>, whole): each holds whole runs of records with one key, as parallel --group-by; the input grouped by it',
    ),
    new Option('--dispatch <strategy>', 'which worker gets each block')
      .choices(FAN_CHOICES.dispatch)
      .default(FAN_DEFAULTS.dispatch),
    new Option(
      '--key <spec>',
      'the key for --dispatch hash and --merge sorted (it needs one): field:N, json:<path>, whole',
    ).default(FAN_DEFAULTS.key),
    new Option(
      '--field-sep <char>',
      'with --key field:N: split fields on this character, not runs of blanks (tab, or an escape of delim: such as \\t or \\xHH)',
    ),
    new Option('--merge <mode>', 'how outputs are combined')
      .choices(FAN_CHOICES.merge)
      .default(FAN_DEFAULTS.merge),
    new Option(
      '--merge-memory <size>',
      "the most output a merge holds in memory: past it --merge sorted spills to $TMPDIR, --merge ordered pauses workers that run ahead (another than the default: a sorted merge is manifold's own, not sort -m)",
    ).default(FAN_DEFAULTS.mergeMemory),
    new Option('--numeric', 'with --merge sorted: compare keys as numbers, like sort -n'),
    new Option('--reverse', 'with --merge sorted: largest key first, like sort -r'),
    new Option(
      '--tag',
      "prefix each output record (and each line of a worker's stderr) with the worker's number and a TAB",
    ),
    new Option(
      '--tagstring <string>',
      "prefix as --tag does with this string, {%} the worker's number, {#} the block's (with --per-block), as GNU parallel's",
    ),
    new Option(
      '--shell',
      "run the command with /bin/sh -c, so a worker can be 'sort | uniq -c' (one sh -n cannot parse is refused)",
    ),
    new Option('--per-block', 'a fresh worker process for each block (as parallel --pipe)'),
    new Option(
      '--cat',
      'give each block to a fresh process as a private file in $TMPDIR, its path in place of {} (appended without one), removed as the process ends (as parallel --pipe --cat)',
    ),
    new Option(
      '--fifo',
      'as --cat, a named pipe the block is written into as the process reads it (as parallel --pipe --fifo); a process that never opens it ends as its exit says',
    ),
    new Option(
      '--one-to-one',
      'persistent workers that write exactly one output record per input record',
    ),
    new Option('--protocol <name>', "persistent SDK filters that tie output to blocks: 'manifold'"),
    new Option(
      '--threads',
      'run each worker as a thread of manifold running an SDK filter module (mf-map, ./my-filter.js): blocks move without pipes, output tied to blocks',
    ),
    new Option(
      '--thread-heap <size>',
      "with --threads: cap each thread's heap: 256M, 1G... (at least 8M; a text record may be half of it)",
    ),
    new Option(
      '--retries <n>',
      'run a failed block again, up to n times, on a fresh worker',
    ).default(String(FAN_DEFAULTS.retries)),
    new Option(
      '--halt <when>',
      'as parallel: now (stop all), soon (start no more blocks, finish the running) or never; now and soon after a failed block, or with ,fail=N ,fail=N% ,success=N',
    ).default(FAN_DEFAULTS.halt),
    new Option(
      '--ok-status <list>',
      'exit statuses that are not failures, besides 0: 0,1 for grep\'s "no match"',
    ),
    new Option(
      '--timeout <duration>',
      'kill a worker that spends longer on a block (a persistent one: on its oldest), and retry or fail it: 30, 300ms, 5m',
    ),
    new Option(
      '--termseq <sequence>',
      'how a worker is ended, past --timeout or when the run stops, as parallel --termseq: signals and the milliseconds each gives it, in turn, then SIGKILL: INT,1000,TERM,500 (default TERM,200,TERM,100,TERM,50,KILL,25 past --timeout; TERM,2000,KILL,25 on a stop)',
    ),
    new Option(
      '--delay <duration>',
      "start each block (a per-block process, a persistent worker's next block) at least this long after the one before, as parallel --delay: 0.5, 300ms, 2s",
    ),
    new Option(
      '--tmpdir <dir>',
      "put manifold's temporary files (--cat, --fifo, --merge sorted's spills) here, not in $TMPDIR, and give it to the workers as TMPDIR (as parallel --tmpdir)",
    ),
    new Option(
      '--nice <n>',
      "run each worker process at this niceness, -20 (first) to 19 (last), as parallel --nice; below manifold's own it needs root",
    ),
    new Option(
      '--header <n|auto>',
      "give every block the input's first n lines first (: is 1, as GNU parallel; auto: a CSV or TSV header line); the output has them once where the merge can",
    ),
    new Option(
      '--joblog <file>',
      "write a TSV row per block (block, worker, start, runtime, bytes and records in and out, attempts, status) as blocks finish; '-' for stderr",
    ),
    new Option(
      '--input <file>',
      "read this file instead of stdin (repeat it for several, read in order; '-' is stdin); a pipe is fine",
    ).argParser((file: string, files: string[] | undefined) => [...(files ?? []), file]),
    new Option(
      '--table <NAME=PATH>',
      "a shared table for the workers, as MANIFOLD_TABLE_<NAME> in their environment (repeatable; docs/tables.md); with --queue, stored in the queue's Object Store and fetched by each worker machine",
    ).argParser((value: string, values: string[] | undefined) => [...(values ?? []), value]),
    new Option(
      '--max-record <size>',
      "the largest record accepted, in the input and in workers' output",
    ).default(FAN_DEFAULTS.maxRecord),
    new Option(
      '--host <[user@]host[:port][/slots]>',
      "run workers on this host over SSH (repeatable, each host once; ':' or 'local' is this machine); -j is slots per host unless /slots says; slots past sshd's MaxSessions get more connections (docs/hosts.md)",
    ).argParser((value: string, values: string[] | undefined) => [...(values ?? []), value]),
    new Option('--hosts-file <file>', "hosts as --host names them, one a line, '#' comments"),
    new Option(
      '--ssh <command>',
      "the ssh program and its options for --host: 'ssh -F my_config', 'ssh -c aes128-gcm@openssh.com' (default: ssh)",
    ),
    new Option(
      '--remote-manifold <path>',
      "manifold on the hosts (default: manifold on the host's PATH)",
    ),
    new Option(
      '--host-timeout <duration>',
      'a host heard nothing from for this long is hung: dropped, its blocks tried elsewhere (default 30s)',
    ),
    new Option(
      '--transfer <path>',
      'with --host: ship this file or folder (relative to here) to each host once, cached by content; workers there see it at the same name (repeatable)',
    ).argParser((value: string, values: string[] | undefined) => [...(values ?? []), value]),
    new Option(
      '--cleanup',
      'with --host: remove from the hosts, at the end, what this run shipped',
    ),
    new Option('--stats <file>', "write a JSON summary at the end to a file, or '-' for stderr"),
    new Option('--progress', 'show a live progress line on stderr when it is a terminal'),
    new Option('--verbose', 'say what manifold decides and what its workers do, on stderr'),
  ];
}

export const FAN_HELP_AFTER = `
Exit status: 0 success; 1 a worker failed; 2 usage error; 127 command not found;
130, 143, 129, 131, 138, 140 or 142 after SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
or SIGALRM; killed by SIGPIPE (141) when the output is closed.

Examples:
  manifold fan -j 4 -- awk '/ERROR/' < app.log
  manifold fan --merge ordered --protocol manifold -- mf-map 'r.toUpperCase()'
  manifold fan -j 2 --threads --merge ordered -- mf-map 'r.toUpperCase()'
  manifold fan --dispatch hash --key field:1 --shell -- 'sort | uniq -c'
  manifold fan --merge sorted --key field:2 --numeric -- sort -k2,2n -k2b,2
  manifold fan --per-block --retries 2 -- ./flaky-filter
  manifold fan --table users=users.mft -- mf-join --table users --key field:3
  manifold fan --merge ordered --ok-status 0,1 -- grep ERROR
  LC_ALL=C manifold fan --ok-status 0,1 -- grep $'caf\\xe9' < latin1.txt
    (a word that is not UTF-8, a Latin-1 é here, reaches the worker byte for byte, as with parallel)
  manifold fan --recend '\\n' --recstart '>' --per-block -- grep -c '^>' < seqs.fasta
    (FASTA: blocks of whole sequences, as parallel --pipe --recend '\\n' --recstart '>')
  manifold fan --regexp --recstart '^>' -N 1 --per-block -- wc -c < seqs.fasta
    (a record begins at each > that begins a line, as parallel --pipe --regexp --recstart '^>' -N1)
  manifold fan -N 100 --per-block -- ./upload-batch
    (each process gets 100 records, the last fewer, as with parallel --pipe -N 100)
  manifold fan --group-by field:1 --per-block -- ./sum-by-user < visits.tsv
    (each process gets all of a user's lines, as parallel --group-by 1; the input sorted by user)
  manifold fan -j 4 --block -1 --per-block --merge sorted -- sort < app.log
    (one block for each worker, a quarter of the file each, as parallel --pipepart --block -1; then merged)
  manifold fan -L 4 -N 1000 --per-block -- wc -l < reads.fq
    (records of 4 lines, FASTQ reads, 1,000 a process, as with parallel --pipe -L 4 -N 1000)
  manifold fan --header 1 --per-block --shell -- 'cat > part-$MANIFOLD_BLOCK.csv' < in.csv
  manifold fan -N 100 --per-block --shell -- 'cat > part-{#}.txt' < lines.txt
    ({#} the block's number, {%} the worker's, as in parallel --pipe -N 100 'cat > part-{#}.txt')
  manifold fan -N 100 --per-block --merge ordered --tagstring '{#}' -- wc -l < lines.txt
    (each output line after its block's number and a TAB, as parallel --tagstring '{#}')
  manifold fan --cat --merge ordered -- wc -l {} < lines.txt
    (each block in a file of its own, named for {}: for programs that read no stdin, or seek)
  manifold fan --fifo --merge ordered -- wc -c {} < lines.txt
    (each block through a named pipe: no disk, for programs that read a file once, in order)
  manifold fan --tmpdir . --cat --merge ordered -- wc -l {} < lines.txt
    (the blocks' files here, not in $TMPDIR: a disk with room, or one that is faster)
  manifold fan --delay 200ms -j 4 --per-block -N 100 -- ./upload-batch
    (a rate-limited service: batches start at least 200ms apart, as parallel --delay 0.2)
  manifold fan --nice 10 -j 4 --merge sorted -- sort < app.log
    (the workers at niceness 10: they take the CPU only when nothing else wants it)
  manifold fan --timeout 30s --retries 2 --halt soon,fail=3 --joblog jobs.tsv -- ./parse
  manifold fan --timeout 5m --termseq INT,5000,TERM,1000 --per-block -- ./render
    (past its time a worker gets SIGINT, SIGTERM 5 s later, SIGKILL 1 s after that)
  manifold fan --host h1 --host alice@h2:2222/8 --retries 2 --merge ordered --transfer parse -- ./parse
  manifold fan --hosts-file hosts.txt --ssh 'ssh -F ./ssh_config' -j 4 --ok-status 0,1 -- grep ERROR
  manifold fan --queue nats://queue:4222 --job logs --merge ordered --output out.txt < big.log
    (no command: workers run 'manifold worker --queue nats://queue:4222 --job logs -- <command>'; docs/queue.md)
  manifold fan --queue nats://queue:4222 --job enrich --table users=users.mft < events.tsv
    (workers: 'manifold worker --queue nats://queue:4222 --job enrich -- mf-join --table users --key field:3')
  manifold fan --queue nats://queue:4222 --timeout 5m --queue-timeout 10m < big.log > out.txt
  manifold fan --queue nats://queue:4222 --header 1 --joblog jobs.tsv < in.csv > out.csv
    (each worker's command gets the header before each block; a job log row per block, Host its worker's machine)

See docs/fan.md for every mode.`;
