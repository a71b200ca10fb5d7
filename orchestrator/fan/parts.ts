import { fstatSync } from 'node:fs';
import { describeError, exitCodeOf } from '../../filters/index.js';
import { closeAll, type KernelPipe, openPipes } from '../pipeline/pipes.js';
import {
  createWorkersInto,
  createWorkers as createWorkersOf,
  createWorkersRelayed,
} from '../workers/create.js';
import type { InputHeader } from '../workers/header.js';
import type { RelaySpec } from '../workers/relay.js';
import type { Worker, WorkerListener } from '../workers/types.js';
import { backlogOf } from './backlog.js';
import { type Collector, type Emit, ReadyCollector, type Room } from './collect.js';
import { withHeader } from './header-output.js';
import type { FanOptions, Log } from './options.js';
import { OrderedCollector } from './ordered.js';
import { rangeCut } from './range-cut.js';
import { type MergedSink, SortMergeCollector } from './sort-merge/collector.js';
import { planSortMerge } from './sort-merge/plan.js';
import { SortedCollector } from './sorted.js';
import { spell } from './spelling.js';
import type { FanWriter } from './writer.js';

/**
 * The input a relayed workers' helper takes (`RelaySpec.takesInput`): cut by `delimiter` into
 * pieces of at most `cap` bytes.
 */
export interface TakenInput {
  delimiter: Buffer;
  cap: number;
}

/**
 * The largest piece of a taken input moved at once: a pipeful, as the helper sizes the
 * workers' pipes. Records within a piece are not measured, so --max-record must be at least two
 * of them (a piece may start with the end of a record read past the last piece).
 */
export const TAKEN_PIECE = 1024 * 1024;

/** The bytes each of `sort -m`'s pipes holds: a pipeful is read at a time (workers/reads.ts). */
const SORT_MERGE_PIPE = 1024 * 1024;

/**
 * A `sort -m` chosen to merge: its arguments, the pipes the workers write into, and the pipe it
 * writes the merge into.
 */
export interface SortMerge {
  command: string;
  args: string[];
  pipes: KernelPipe[];
  output: KernelPipe;
}

/**
 * The fan's workers, of the kind and attribution the options ask for; for `--merge sorted`,
 * writing into kernel pipes for `sort -m` when it can do the merge (sort-merge/plan.ts) and
 * their kind can write there. `--verbose` says which merge it is, and why.
 */
export function createWorkers(
  options: FanOptions,
  listener: WorkerListener,
  header: InputHeader,
  log: Log = () => {},
): { workers: Worker[]; sortMerge: SortMerge | null; taken: TakenInput | null } {
  const { kind, workers, command, tag, attribution, outputFraming: framing, blockSize } = options;
  const settings = {
    kind,
    workers,
    // An SDK filter's own --max-record defaults to the fan's (sdk/cli.ts): raised here, it is
    // raised there, as the filter's message ("raise it with --max-record") says.
    command: {
      ...command,
      env: { ...command.env, MANIFOLD_MAX_RECORD: String(options.maxRecord) },
    },
    tag,
    ...(options.tagString === undefined ? {} : { tagString: options.tagString }),
    attribution,
    framing,
    maxBacklog: backlogOf(kind, blockSize),
    okStatus: options.okStatus ?? [0],
    header,
    ...(options.workerStderr === undefined ? {} : { stderr: options.workerStderr }),
    ...(options.threadHeap === undefined ? {} : { heapLimit: options.threadHeap }),
    ...(options.remote === undefined ? {} : { remote: options.remote }),
    ...(options.optionName === undefined ? {} : { optionName: options.optionName }),
    ...(options.blockFile === undefined ? {} : { blockFile: options.blockFile }),
    ...(options.tmpdir === undefined ? {} : { tmpdir: options.tmpdir }),
  };
  const ours = (reason: string) => {
    if (options.merge === 'sorted')
      log(`${spell(options, 'merge', 'sorted')}: manifold merges, since ${reason}`);
    return { workers: createWorkersOf(settings, listener), sortMerge: null, taken: null };
  };
  const relay = relayOf(options);
  if (relay !== null) {
    // The input's delimiter, where the relayed workers' helper may take the input too (for
    // workers that stay: a per-block worker's input is its block).
    const input = relay.ordered === undefined ? inputTakable(options) : null;
    const spec = input === null ? relay : { ...relay, takesInput: true };
    const made = createWorkersRelayed(settings, listener, spec);
    if (made.relayed) {
      log(
        relay.ordered === undefined
          ? "output: the process starter writes each worker's whole records to stdout itself, never two workers' mixed: none of it passes through manifold"
          : `output: the process starter writes each block's output to stdout itself, in the blocks' order, holding later blocks' (up to ${spell(options, 'mergeMemory')}) until their turn: none of it passes through manifold`,
      );
    }
    const taken =
      made.relayed && input !== null
        ? { delimiter: input, cap: Math.min(blockSize, TAKEN_PIECE) }
        : null;
    return { workers: made.workers, sortMerge: null, taken };
  }
  if (options.merge !== 'sorted') return ours('');
  const plan = planSortMerge(options);
  if (plan.by === 'manifold') return ours(plan.reason);
  let pipes: KernelPipe[];
  try {
    pipes = openPipes(workers + 1, SORT_MERGE_PIPE);
  } catch (error) {
    return ours(`no pipes for sort -m could be opened (${describeError(error)})`);
  }
  const output = pipes.pop()!;
  // Both ends of each pipe are open: the workers and sort -m take them as they start.
  const writes = pipes.map((pipe) => pipe.write);
  const made = createWorkersInto(settings, listener, writes, 2 * (pipes.length + 1));
  if (!made.direct) {
    closeAll([...pipes, output].flatMap((pipe) => [pipe.read, pipe.write]));
    log(
      `${spell(options, 'merge', 'sorted')}: manifold merges, since this kind of worker gives no descriptor for its output`,
    );
    return { workers: made.workers, sortMerge: null, taken: null };
  }
  log(
    `${spell(options, 'merge', 'sorted')}: GNU sort merges the workers' outputs through kernel pipes (LC_ALL=C ${plan.command} ${plan.args.join(' ')})`,
  );
  return {
    workers: made.workers,
    sortMerge: { command: plan.command, args: plan.args, pipes, output },
    taken: null,
  };
}

/**
 * How the workers' output may be written to manifold's stdout by their kind's helper, or null
 * when manifold must read it: a ready merge of workers that stay and need no attribution, or an
 * ordered merge of per-block workers (a process per block, whose output is all its block's)
 * where a failed block stops the run at once and is not run again; into manifold's own
 * stdout, of records cut by a delimiter found from behind (`rangeCut`), and nothing else that
 * reads the output (--tag, --header, --stats, --progress, --joblog, a pipeline's record
 * counts). Whether the kind can is asked when the workers are made.
 */
function relayOf(options: FanOptions): RelaySpec | null {
  const { merge, attribution, output, outputFd, outputFraming, dispatch } = options;
  const ordered = merge === 'ordered' && attribution === 'per-block';
  if (!ordered && (merge !== 'ready' || attribution !== 'none')) return null;
  if (ordered && (options.retries > 0 || !haltsAtOnce(options))) return null;
  if (ordered && dispatch !== 'ready' && dispatch !== 'round-robin') return null;
  if (output !== undefined || (outputFd ?? 1) !== 1) return null;
  if (options.tag || options.header || options.joblog || options.countOutput) return null;
  if (options.stats !== null || options.progress) return null;
  const cut = rangeCut(outputFraming);
  if (cut === null || cut.kind !== 'delimiter') return null;
  return {
    delimiter: cut.delimiter,
    maxRecord: options.maxRecord,
    okStatus: options.okStatus ?? [0],
    ...(ordered ? { ordered: { memory: options.mergeMemory } } : {}),
  };
}

/** Whether the first failed block stops the run at once (--halt now, its default), no --timeout. */
function haltsAtOnce(options: FanOptions): boolean {
  const { halt, haltOn, timeout } = options;
  if (halt !== 'now' || timeout !== undefined) return false;
  return haltOn === undefined || (haltOn.why === 'fail' && haltOn.count === 1 && !haltOn.percent);
}

/**
 * Whether the relayed workers' helper may take the input too, cutting and writing it to them
 * itself (`WorkerKind.takeInput`): a pipe (not a file: ranges of those are sent by the kernel
 * already), records ended by one byte in and out, readiness deciding which worker (a piece
 * goes to whichever has room), and nothing that must know which worker had what before it
 * ends: --halt now (its default), no --timeout; --max-record at least two pieces; no --rrs,
 * no --delay.
 */
function inputTakable(options: FanOptions): Buffer | null {
  const { inputs, input, inputFd, dispatch, maxRecord } = options;
  if (inputs !== null || input !== undefined) return null;
  if (dispatch !== 'ready' || !haltsAtOnce(options)) return null;
  // Its pieces are cut by size; blocks of so many records, or of runs of a key, are manifold's.
  if (options.records !== undefined || options.groupBy !== undefined) return null;
  // It writes pieces as they are, as fast as the pipes take them: blocks without their record
  // separators (--rrs) and blocks spaced in time (--delay) are manifold's to give.
  if (options.removeRecSep === true || (options.delay ?? 0) > 0) return null;
  if (maxRecord < 2 * TAKEN_PIECE) return null;
  const cut = rangeCut(options.framing);
  if (cut === null || cut.kind !== 'delimiter' || cut.delimiter.length !== 1) return null;
  try {
    return fstatSync(inputFd ?? 0).isFIFO() ? cut.delimiter : null;
  } catch {
    return null;
  }
}

/** The collector of the merge mode asked for (with --header's rule in front, under it). */
export function createCollector(
  options: FanOptions,
  workers: Worker[],
  emit: Emit,
  room: Room,
  header: InputHeader,
  sortMerge: { plan: SortMerge; sink: MergedSink } | null = null,
): Collector {
  const make = (out: Emit) => mergeOf(options, workers, out, room, sortMerge);
  return options.header ? withHeader(make, emit, header) : make(emit);
}

/**
 * The fan's collector, writing into its writer; a `sort -m` chosen to merge writes its merged
 * output there too, and its failure (`fail`) stops the fan.
 */
export function createWritingCollector(
  options: FanOptions,
  workers: Worker[],
  writer: FanWriter,
  header: InputHeader,
  merge: { sortMerge: SortMerge | null; fail: (message: string, status: number) => void },
): Collector {
  const room = () => writer.room();
  const { sortMerge } = merge;
  return createCollector(
    options,
    workers,
    (worker, parts, block, tally) => writer.emit(worker, parts, block, tally),
    room,
    header,
    sortMerge && {
      plan: sortMerge,
      sink: {
        emit: (parts, records) => writer.emitMerged(parts, records),
        get full() {
          return writer.sink.full;
        },
        room,
        fail: (error) => merge.fail(describeError(error), exitCodeOf(error)),
      },
    },
  );
}

function mergeOf(
  options: FanOptions,
  workers: Worker[],
  emit: Emit,
  room: Room,
  sortMerge: { plan: SortMerge; sink: MergedSink } | null,
): Collector {
  switch (options.merge) {
    case 'ready':
      return new ReadyCollector(options, emit);
    case 'ordered':
      return new OrderedCollector(options, emit);
    case 'sorted':
      return sortMerge === null
        ? new SortedCollector(options, workers, emit, room)
        : new SortMergeCollector(options, sortMerge.plan, sortMerge.sink);
  }
}
