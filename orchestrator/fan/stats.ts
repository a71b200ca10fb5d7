import type { Framing } from '../../filters/index.js';
import { writeStatsFile } from '../options/inputs.js';
import type { Block } from '../workers/block.js';
import type { Worker, WorkerOutcome } from '../workers/types.js';
import { type HostCounting, type HostStats, HostTotals } from './host-stats.js';
import type { FanOptions, Reporter } from './options.js';
import { countRecords } from './records.js';

/** What one worker did, for --stats. */
export interface WorkerStats {
  /** The worker's number, from 1. */
  worker: number;
  /** The process ids it ran, newest last (one per block with per-block workers). */
  pids: number[];
  /** Blocks given to it. */
  blocks: number;
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  bytesOut: number;
  /** Milliseconds with blocks given and not yet finished. */
  busyMs: number;
  /** How each of its processes (or threads, with `thread` ids and no pids) ended. */
  exits: {
    pid: number | undefined;
    thread?: number;
    /** The host it ran on (--host): its pid is the host's. */
    host?: string;
    exitCode: number | null;
    signal: string | null;
  }[];
}

/** The --stats document of a fan: what the library's `fan` resolves to. */
export interface FanSummary {
  /** The exit status the command line gives: 0 ok, 1 a worker failed, 2 usage, 127 not found, 128 + a signal's number when one stopped it (SIGPIPE's 141 when the output was closed). */
  status: number;
  durationMs: number;
  /**
   * The whole fan: blocks given to workers (each once, whatever its tries), their records and
   * bytes, and the records and bytes written. Blocks read ahead and never given (a run that
   * halts) are not counted.
   */
  totals: {
    blocks: number;
    recordsIn: number;
    bytesIn: number;
    recordsOut: number;
    bytesOut: number;
  };
  workers: WorkerStats[];
  /** What ran on each host, for a fan on hosts (--host); absent for a local fan. */
  hosts?: HostStats[];
}

/** Counts everything --stats and --progress report. */
export class Stats {
  readonly started = Date.now();
  readonly workers: WorkerStats[];
  readonly #framing: Framing;
  readonly #busySince: (number | null)[];
  readonly #inFlight: number[];
  #mergedBytes = 0;
  #mergedRecords = 0;
  bytesRead = 0;
  recordsRead = 0;
  blocksCut = 0;
  readonly #given = new WeakSet<Block>();
  #givenBlocks = 0;
  #givenRecords = 0;
  #givenBytes = 0;
  /** Per-host totals, when the slots run on hosts. */
  readonly hosts: HostTotals | null;

  /** `hosts`, for a fan on hosts: where each slot runs now, and whether blocks are attributed. */
  /** A fan's: its workers, its output's framing, and on hosts (`remote`) each slot's host. */
  static forFan(options: FanOptions): Stats {
    const remote = options.remote;
    const attributed = options.attribution !== 'none';
    return new Stats(
      options.workers,
      options.outputFraming,
      remote === undefined ? undefined : { hostOf: (slot) => remote.hostOf(slot), attributed },
    );
  }

  constructor(workers: number, framing: Framing, hosts?: HostCounting) {
    this.#framing = framing;
    this.hosts = hosts === undefined ? null : new HostTotals(hosts);
    this.workers = Array.from({ length: workers }, (_, i) => ({
      worker: i + 1,
      pids: [],
      blocks: 0,
      recordsIn: 0,
      bytesIn: 0,
      recordsOut: 0,
      bytesOut: 0,
      busyMs: 0,
      exits: [],
    }));
    this.#busySince = new Array(workers).fill(null);
    this.#inFlight = new Array(workers).fill(0);
  }

  read(block: Block): void {
    this.bytesRead += block.bytes;
    // Blocks cut uncounted (records -1) are those of runs that report no records.
    if (block.records > 0) this.recordsRead += block.records;
    this.blocksCut++;
  }

  sent(worker: Worker, block: Block): void {
    const stats = this.workers[worker.slot - 1]!;
    stats.blocks++;
    if (block.records > 0) stats.recordsIn += block.records;
    stats.bytesIn += block.bytes;
    this.#countGiven(block);
    this.hosts?.given(worker.slot, block);
    if (this.#inFlight[worker.slot - 1]!++ === 0) this.#busySince[worker.slot - 1] = Date.now();
  }

  finished(worker: Worker, block: Block): void {
    const i = worker.slot - 1;
    this.hosts?.done(worker.slot, block);
    if (this.#inFlight[i]! > 0 && --this.#inFlight[i]! === 0) this.#stopClock(i);
  }

  /** An instance of `worker` ended, with `unfinished` blocks (as far as its worker knows). */
  exited(worker: Worker, end: WorkerOutcome, unfinished: readonly Block[]): void {
    const stats = this.workers[worker.slot - 1]!;
    // Processes and threads tell how each ended; other transports may have no such details.
    const { details } = end;
    const failed = end.kind === 'failed' || end.kind === 'cannot-start';
    this.hosts?.ended(worker.slot, details?.host || undefined, failed, unfinished);
    if (details !== undefined) {
      const { pid, thread, host, exitCode, signal } = details;
      stats.exits.push({
        ...{ pid, ...(thread === undefined ? {} : { thread }) },
        ...{ ...(host === undefined ? {} : { host }), exitCode, signal },
      });
    }
    stats.pids = [...worker.processIds()];
    if (worker.ended) {
      this.#inFlight[worker.slot - 1] = 0;
      this.#stopClock(worker.slot - 1);
    }
  }

  wrote(worker: Worker, parts: Buffer[]): void {
    let bytes = 0;
    for (const part of parts) bytes += part.length;
    this.credit(worker, countRecords(parts, this.#framing), bytes);
  }

  /** Output of `worker`'s, counted where it was merged with others' (the sorted merge). */
  credit(worker: Worker, records: number, bytes: number): void {
    const stats = this.workers[worker.slot - 1]!;
    stats.bytesOut += bytes;
    stats.recordsOut += records;
    const host = this.hosts?.of(worker.slot);
    if (host !== undefined) {
      host.bytesOut += bytes;
      host.recordsOut += records;
    }
  }

  /**
   * Output no worker can be named for (sort -m's merge, a delimiter manifold put between two
   * records, `bytes` more): counted in the totals only.
   */
  wroteMerged(parts: Buffer[], records: number, bytes = 0): void {
    this.#mergedBytes += bytes;
    for (const part of parts) this.#mergedBytes += part.length;
    this.#mergedRecords += records;
  }

  get bytesOut(): number {
    return this.workers.reduce((sum, w) => sum + w.bytesOut, this.#mergedBytes);
  }

  get recordsOut(): number {
    return this.workers.reduce((sum, w) => sum + w.recordsOut, this.#mergedRecords);
  }

  /** The --stats document. */
  summary(status: number): FanSummary {
    const totals = {
      blocks: this.#givenBlocks,
      recordsIn: this.#givenRecords,
      bytesIn: this.#givenBytes,
      recordsOut: this.recordsOut,
      bytesOut: this.bytesOut,
    };
    const durationMs = Date.now() - this.started;
    const hosts = this.hosts === null ? {} : { hosts: this.hosts.list() };
    return { status, durationMs, totals, workers: this.workers, ...hosts };
  }

  /** Writes the summary to a file, or to the reporter (stderr) for `-`. */
  write(target: string, status: number, reporter: Reporter): void {
    writeStatsFile(target, this.summary(status), (text) => reporter.write(text));
  }

  // The totals count what workers were given, not what was read: a run that halts has read
  // blocks ahead that no worker saw. A retried block counts once. Under hash dispatch a block is
  // a worker's part of an input block, as MANIFOLD_BLOCK and the job log's rows count them (the
  // parts' records add up to the input's); under broadcast, a worker's copy.
  #countGiven(block: Block): void {
    if (this.#given.has(block)) return;
    this.#given.add(block);
    if (block.records > 0) this.#givenRecords += block.records;
    this.#givenBytes += block.bytes;
    this.#givenBlocks++;
  }

  #stopClock(i: number): void {
    const since = this.#busySince[i];
    if (since !== null && since !== undefined) this.workers[i]!.busyMs += Date.now() - since;
    this.#busySince[i] = null;
  }
}
