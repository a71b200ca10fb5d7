import type { Readable, Writable } from 'node:stream';
import type { Framing, KeySpec } from '../../filters/index.js';
import type { NameOf } from '../options/checks.js';
import type { CommandSpec } from '../workers/command.js';
import type { TermSeq } from '../workers/termseq.js';
import type { RemoteSlots, WorkerKind, WorkerStderr } from '../workers/transport.js';
import type { AttributedKind, Attribution } from '../workers/types.js';

export type DispatchStrategy = 'ready' | 'round-robin' | 'hash' | 'broadcast';
export type MergeMode = 'ready' | 'ordered' | 'sorted';
export type HaltMode = 'now' | 'soon' | 'never';

/**
 * What makes --halt act, as GNU parallel's `,fail=N`, `,fail=N%` and `,success=N`: `count`
 * blocks failed for good (or that percentage of the blocks finished, once 3 have), or `count`
 * blocks done.
 */
export interface HaltCondition {
  why: 'fail' | 'success';
  count: number;
  percent: boolean;
}

/** --header: how many of the input's first records are a header, or `auto` (a CSV header line). */
export type HeaderSpec = number | 'auto';

/** Everything a fan needs, checked and resolved (see cli/fan.ts for the command line). */
export interface FanOptions {
  /** The kind of worker (workers/registry.ts), or one given by code. @default 'process' */
  kind?: string | WorkerKind | AttributedKind;
  /** --thread-heap: the most heap each thread worker may take, in bytes. @default Node's own */
  threadHeap?: number;
  /** Where the ssh kind's slots run: the hosts, connected before the fan starts. */
  remote?: RemoteSlots;
  command: CommandSpec;
  workers: number;
  /** How input records are cut. */
  framing: Framing;
  /** How the workers' output records are cut: the input's framing unless told otherwise. */
  outputFraming: Framing;
  blockSize: number;
  /**
   * `blockSize` was given, even as the default's size: per-block workers' blocks otherwise grow
   * (block-size.ts).
   */
  blockGiven?: boolean;
  /**
   * A negative --block (`-1`, as GNU parallel's `--pipepart --block -1`): so many blocks for each
   * worker, `blockSize` worked out from the input's size when the fan starts; `said` is the
   * option as given, for messages (fan/blocks-per-worker.ts).
   */
  blocksPerWorker?: { count: number; said: string };
  /**
   * --group-by: blocks end only between records whose keys differ, each a run of records with
   * one key whole (a run larger than --max-record is an error).
   */
  groupBy?: KeySpec;
  /** --records: every block is this many records (the last fewer), its size whatever they make. */
  records?: number;
  /**
   * --cat: each block is written to a private file in $TMPDIR, and a fresh worker process (the
   * attribution is per-block) is given its path for `{}`, its stdin empty; --fifo: a named pipe
   * instead, written as the process reads it. Processes here only.
   */
  blockFile?: 'cat' | 'fifo';
  maxRecord: number;
  /**
   * The most output a merge holds in memory: past it the sorted merge spills to temporary
   * files and the ordered merge pauses the workers that run ahead. @default 64 MiB
   */
  mergeMemory: number;
  /**
   * `mergeMemory` was given, even as the default's size: a sorted merge is then manifold's own,
   * which holds and spills within it, never `sort -m` (docs/fan.md).
   */
  mergeMemoryGiven?: boolean;
  dispatch: DispatchStrategy;
  key: KeySpec;
  merge: MergeMode;
  numeric: boolean;
  reverse: boolean;
  /** --tag or --tagstring: each output record and stderr line after its tag and a TAB. */
  tag: boolean;
  /**
   * --rrs: each block is given its worker without its record separators (fan/separators.ts).
   * @default false
   */
  removeRecSep?: boolean;
  /** --tagstring: the tag, its `{%}` and `{#}` replaced (`tagFor`). @default '{%}' (--tag) */
  tagString?: string;
  attribution: Attribution;
  retries: number;
  halt: HaltMode;
  /** When --halt acts. @default after one block failed */
  haltOn?: HaltCondition;
  /** Exit statuses that are not failures (--ok-status), 0 among them. @default [0] */
  okStatus?: number[];
  /** --timeout: a block (a block's worth of work) may take this many milliseconds. */
  timeout?: number;
  /**
   * --termseq: how a worker is ended, past --timeout and when the run stops.
   * @default TERM,200,TERM,100,TERM,50,KILL,25 past --timeout; TERM,2000,KILL,25 on a stop
   */
  termseq?: TermSeq;
  /** --tmpdir: the folder of manifold's temporary files, absolute. @default $TMPDIR, or /tmp */
  tmpdir?: string;
  /** --delay: a block starts at least this many milliseconds after the one before. */
  delay?: number;
  /** --header: the input's first records, given to every block (or worker) first. @default 0 */
  header?: HeaderSpec;
  /** --joblog: a TSV row per block finished, written to this file. */
  joblog?: string | null;
  /** Files to read in order, or null for stdin. */
  inputs: string[] | null;
  stats: string | null;
  progress: boolean;
  verbose: boolean;
  /** Count output records even without --stats or --progress (a pipeline's stats want them). */
  countOutput?: boolean;
  /** Where input comes from when `inputs` is null, and where output goes. @default 0 and 1 */
  inputFd?: number;
  /** `inputFd`'s name in messages: a pipeline's input file. @default stdin for 0, else input */
  inputFdName?: string;
  outputFd?: number;
  /** `outputFd`'s name in messages: a pipeline's output file. @default stdout for 1, else its output */
  outputFdName?: string;
  /** A stream to read the input from, before `inputs` and `inputFd` (the library's). */
  input?: Readable;
  /**
   * Whether an input pipe may be read by blocking reads on the thread pool, each of which then
   * holds one of its four threads (workers/reads.ts `poolReads`): `manifold fan`'s own input
   * only, not a pipeline's stages (several would take the pool) nor a library's caller's.
   */
  inputOffThread?: boolean;
  /** A stream to write the output to, before `outputFd` (the library's); ended at the end. */
  output?: Writable;
  /** Where failure lines, --stats '-' and --progress go. @default process.stderr */
  reporter?: Reporter;
  /**
   * How the run's messages name an option: a config's keys (`halt: soon`) for a stage of
   * `manifold run`. @default the command line's flags (`--halt soon`)
   */
  optionName?: NameOf;
  /**
   * Where the workers' stderr goes, line by line (`tagged`: each line after the worker's
   * number and a TAB, as --tag does). @default inherited: the workers write to fd 2 themselves
   */
  workerStderr?: WorkerStderr;
}

/**
 * Where manifold's own words go: a failure's line, the --stats document for '-', the progress
 * line. process.stderr is one; the library gives its own.
 */
export interface Reporter {
  write(text: string): unknown;
  /** A terminal, where --progress redraws its line. */
  readonly isTTY?: boolean;
  /** Hears each failure's line (without `manifold: `) instead of `write`, when present. */
  failure?(line: string): void;
}

/** Lines for --verbose, and warnings. */
export type Log = (message: string) => void;
