import { availableParallelism } from 'node:os';

/** The most workers a fan takes: far more than a machine runs well, far fewer than would crash. */
export const MAX_WORKERS = 4096;

/** The values an option of a fixed set takes, first the default. */
export const FAN_CHOICES = {
  dispatch: ['ready', 'round-robin', 'hash', 'broadcast'],
  merge: ['ready', 'ordered', 'sorted'],
} as const;

/**
 * The defaults of a fan, once: the command line's help shows them, config files and the library
 * take them. (A config file's `workers` alone differs: 2, so that a config runs alike on every
 * machine; see docs/config.md.)
 */
export const FAN_DEFAULTS = {
  workers: availableParallelism(),
  split: 'lines',
  block: '1M',
  dispatch: 'ready',
  key: 'whole',
  merge: 'ready',
  mergeMemory: '64M',
  retries: 0,
  halt: 'now',
  maxRecord: '64M',
} as const satisfies Partial<FanSettings>;

/**
 * A fan's settings, named as `manifold fan`'s long flags in camelCase (`--merge-memory` is
 * `mergeMemory`). Everything but `command` is optional; see docs/fan.md for what each does.
 */
export interface FanSettings {
  /**
   * The worker command: an argv array, run directly (`['grep', '-v', 'x']`), or a string, run by
   * `/bin/sh -c` (`'sort | uniq -c'`).
   */
  command: string | readonly string[];
  /**
   * How many workers run at once, 1 to 4096; or, as GNU parallel's -j, relative to this machine's
   * CPUs: `'+1'`, `'-1'`, `'50%'` (rounded up). @default the number of CPUs
   */
  workers?: number | string;
  /**
   * How records are cut: `lines`, `nul`, `delim:<string>`, `start:<string>`,
   * `between:<end>|<start>`, `ndjson`, `frames`, `fixed:<bytes>`.
   * It is also the workers' output framing unless `join` says otherwise. @default 'lines'
   */
  split?: string;
  /** How the workers' output records are cut, when not as `split` (same names). */
  join?: string;
  /** Records end with NUL: the same as `split: 'nul'`. @default false */
  null?: boolean;
  /**
   * Records of this many lines (a FASTQ read is 4), as `parallel --pipe -L`: the same as
   * `split: 'lines:<n>'`, which it cannot go with, nor with `null`.
   */
  linesPerRecord?: number;
  /**
   * The target size of a block: a number of bytes, or `64K`, `1M`, `8M`...; or `-n` (a number or
   * a string): `n` blocks for each worker, from an input file, as `parallel --pipepart --block -1`.
   * @default '1M'
   */
  block?: number | string;
  /**
   * Blocks of exactly this many records (the last one of fewer), as `parallel --pipe -N`,
   * instead of blocks of about `block` bytes. Not with `block`, nor `dispatch: 'hash'`.
   */
  records?: number;
  /**
   * Blocks end only where this key changes (`field:N`, `json:<path>`, `whole`): each holds whole
   * runs of records with one key, as `parallel --group-by`; the input grouped (sorted) by it.
   * Not with `records`, `dispatch: 'hash'` nor a queue.
   */
  groupBy?: string;
  /**
   * Which worker gets each block: the first `ready`, in turn (`round-robin`), by the hash of
   * each record's key (`hash`), or every worker every block (`broadcast`). @default 'ready'
   */
  dispatch?: 'ready' | 'round-robin' | 'hash' | 'broadcast';
  /** The key for `dispatch: 'hash'` and `merge: 'sorted'`: `field:N`, `json:<path>`, `whole`. @default 'whole' */
  key?: string;
  /** Split fields on this one character, not on runs of blanks. */
  fieldSep?: string;
  /**
   * How the workers' outputs are combined: as they come (`ready`), in the input's order of
   * blocks (`ordered`), or merged by key (`sorted`, each worker's output being sorted).
   * @default 'ready'
   */
  merge?: 'ready' | 'ordered' | 'sorted';
  /**
   * The most output a merge holds in memory: past it `merge: 'sorted'` spills to $TMPDIR and
   * `merge: 'ordered'` pauses workers that run ahead. @default '64M'
   */
  mergeMemory?: number | string;
  /** With `merge: 'sorted'`: compare keys as numbers, like `sort -n`. @default false */
  numeric?: boolean;
  /** With `merge: 'sorted'`: the largest key first, like `sort -r`. @default false */
  reverse?: boolean;
  /**
   * Give each block to its worker without its record separators, as `parallel --rrs`: the
   * delimiters between its records, `between:`'s `<end><start>` and `start:`'s start strings
   * (its first record's start string, its last record's end string too); every LF of `lines:<n>`.
   * Not with `fixed:` nor `frames`, which have none, nor `protocol`/`threads`. @default false
   */
  removeRecSep?: boolean;
  /** Prefix each output record, and each line of a worker's stderr, with the worker's number and a TAB. @default false */
  tag?: boolean;
  /**
   * Prefix as `tag` does, with this string and a TAB, its `{%}` the worker's number and `{#}`
   * the block's (with `perBlock`), as GNU parallel's `--tagstring`.
   */
  tagString?: string;
  /**
   * Run an argv `command` with `/bin/sh -c`, its words joined by spaces. A string `command`
   * always runs so. @default false for an argv array
   */
  shell?: boolean;
  /** A fresh worker process for each block, as `parallel --pipe`. @default false */
  perBlock?: boolean;
  /**
   * Give each block to a fresh worker process as a file, as `parallel --pipe --cat`: the block
   * is written to a private file in $TMPDIR, `{}` in `command` is its path (appended when there
   * is no `{}`), the process's stdin is empty, and the file is removed as the process ends.
   * Per-block: not with `oneToOne`, `protocol`, `threads`, hosts nor a queue. @default false
   */
  cat?: boolean;
  /**
   * As `cat`, a named pipe instead of a file (`parallel --pipe --fifo`): the process is started
   * at once and the block written as it reads the pipe; one that ends without opening it ends
   * as its exit says. Not with `cat`, nor what `cat` is not with. @default false
   */
  fifo?: boolean;
  /** Persistent workers that write exactly one output record per input record. @default false */
  oneToOne?: boolean;
  /** Persistent SDK filters that tie their output to blocks: `'manifold'`. */
  protocol?: 'manifold';
  /**
   * Run each worker as a thread of this process, `command` being an SDK filter's module (a
   * path, a package binary such as `mf-map`, or `node <module>`): blocks are transferred, not
   * piped, and each block's output is tied to it. See docs/fan.md. @default false
   */
  threads?: boolean;
  /** With `threads`: the most heap each thread may take, `256M`... @default Node's own limit */
  threadHeap?: number | string;
  /** Run a failed block again, up to this many times, on a fresh worker. @default 0 */
  retries?: number;
  /**
   * When to stop, as GNU parallel's --halt: `now` (stop every worker), `soon` (start no more
   * blocks, let the running ones finish) or `never`; `now` and `soon` after one failed block, or
   * as `,fail=N`, `,fail=N%` or `,success=N` says (`'soon,fail=3'`). @default 'now'
   */
  halt?: string;
  /** Exit statuses that are not failures, besides 0: `'0,1'` or `[0, 1]` (grep's "no match"). */
  okStatus?: string | readonly number[];
  /**
   * Kill a worker that spends longer than this on a block (a persistent worker: on its oldest
   * block), and retry or fail the block: seconds as a number, or `'300ms'`, `'30s'`, `'5m'`.
   */
  timeout?: number | string;
  /**
   * How a worker is ended when manifold ends it (past `timeout`; the run stopped by a signal,
   * `halt: 'now'` or a failure), as GNU parallel's `--termseq`: signals and the milliseconds
   * each gives it, in turn, then SIGKILL. Processes on this machine and on hosts; a thread's
   * processes. @default 'TERM,200,TERM,100,TERM,50,KILL,25' past `timeout`, 'TERM,2000,KILL,25'
   * on a stop
   */
  termseq?: string;
  /**
   * Start no block sooner than this after the one before, as GNU parallel's `--delay` between
   * jobs: seconds as a number, or `'300ms'`, `'2s'`; 0 is none. Each block given to a worker
   * (a retry too) is a start: a per-block worker's process, a persistent worker's next block.
   */
  delay?: number | string;
  /**
   * The niceness every worker process starts at, -20 (first) to 19 (last), as GNU parallel's
   * `--nice`: below manifold's own it needs privilege (root), refused without. Processes on this
   * machine and on hosts: not with `threads` nor a queue. @default manifold's own
   */
  nice?: number | string;
  /**
   * Where manifold puts its temporary files (`cat` and `fifo` blocks, `merge: 'sorted'` spills)
   * instead of $TMPDIR, and the workers' `TMPDIR`, as GNU parallel's `--tmpdir`: a folder that
   * is there and can be written, else refused before any worker starts. Not with hosts nor a
   * queue. @default $TMPDIR, or /tmp
   */
  tmpdir?: string;
  /** Give every block the input's first N lines (records) first, or `'auto'`: a CSV header line. */
  header?: number | string;
  /** Write a TSV row per block to this file as blocks finish, as `parallel --joblog`. */
  joblog?: string;
  /** The largest record accepted, in the input and in the workers' output. @default '64M' */
  maxRecord?: number | string;
  /** Also write the JSON summary to this file at the end; `'-'` writes it to the reporter. */
  stats?: string;
  /** Draw a live progress line on the reporter, when it is a terminal. @default false */
  progress?: boolean;
  /** Say what manifold decides and what its workers do, on the reporter. @default false */
  verbose?: boolean;
  /**
   * Shared tables for the workers, each `NAME=PATH` (or a path, named by its folder's name):
   * each worker finds it as `MANIFOLD_TABLE_<NAME>` in its environment (docs/tables.md). A
   * sharded table needs one worker per shard and `dispatch: 'hash'`.
   */
  table?: readonly string[];
}

/** Every setting's name, for a check of unknown names (the type keeps it complete). */
export const FAN_SETTING_NAMES = Object.keys({
  command: true,
  workers: true,
  split: true,
  join: true,
  null: true,
  linesPerRecord: true,
  block: true,
  records: true,
  groupBy: true,
  dispatch: true,
  key: true,
  fieldSep: true,
  merge: true,
  mergeMemory: true,
  numeric: true,
  reverse: true,
  tag: true,
  removeRecSep: true,
  tagString: true,
  shell: true,
  perBlock: true,
  cat: true,
  fifo: true,
  oneToOne: true,
  protocol: true,
  threads: true,
  threadHeap: true,
  retries: true,
  halt: true,
  okStatus: true,
  timeout: true,
  termseq: true,
  delay: true,
  nice: true,
  tmpdir: true,
  header: true,
  joblog: true,
  maxRecord: true,
  stats: true,
  progress: true,
  verbose: true,
  table: true,
} satisfies Record<keyof FanSettings, true>) as (keyof FanSettings)[];
