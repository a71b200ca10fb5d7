import { closeSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { quoteName } from '../../filters/errors.js';
import { type BoundaryFinder, createBoundaryFinder } from '../../filters/framing/boundary.js';
import { type Framing, UsageError } from '../../filters/index.js';
import { describeWriteErrno, openReport } from '../options/inputs.js';
import type { Block } from '../workers/block.js';
import type { Worker, WorkerOutcome } from '../workers/types.js';
import type { FanOptions, Reporter } from './options.js';

/**
 * The columns: GNU parallel's joblog first, in its order (its 9th, the command, is the same for
 * every block and left out), then what a block adds. docs/fan.md says how they map.
 */
const COLUMNS = [
  'Seq',
  'Host',
  'Starttime',
  'JobRuntime',
  'Send',
  'Receive',
  'Exitval',
  'Signal',
  'Worker',
  'SendRecords',
  'ReceiveRecords',
  'Attempts',
  'Status',
];

/** One block's row as it runs: its latest try's start and output. */
interface Row {
  slot: number;
  start: number;
  bytesOut: number;
  recordsOut: number;
  finder: BoundaryFinder;
}

/**
 * --joblog: one TAB-separated row per block, written as each block finishes (done, or failed
 * for good), after a header row, as `parallel --joblog` writes one per job. The file is opened
 * (created or truncated) when the fan is made, so one that cannot be written stops the run
 * before it starts. `-` is stderr: parallel's `-` is its stdout, which here carries the records.
 */
export class JobLog {
  /** The file's descriptor; null for `-`, the reporter (stderr, past the progress line). */
  readonly #fd: number | null;
  readonly #reporter: Reporter;
  readonly #framing: Framing;
  /** By worker and block: under --dispatch broadcast every worker runs each block. */
  readonly #rows = new Map<Worker, Map<Block, Row>>();
  /** Per-block workers: the block done, written when its instance's exit status is known. */
  readonly #exiting = new Map<Worker, Block>();
  readonly #path: string;
  /** Told once a row cannot be written (a full disk): the run fails with the line. */
  readonly #failed: (message: string) => void;
  readonly #hostOf: ((slot: number) => string) | null;
  #broken = false;

  /** The fan's --joblog, if it has one: its Host column names the host of each slot (--host). */
  static forFan(
    options: FanOptions,
    reporter: Reporter,
    failed: (message: string) => void,
  ): JobLog | null {
    const { joblog, outputFraming, remote } = options;
    if (!joblog) return null;
    const hostOf = remote === undefined ? undefined : (slot: number) => remote.hostOf(slot);
    return new JobLog(joblog, outputFraming, failed, hostOf, reporter);
  }

  /** `hostOf`: the machine a slot runs on (--host), for the Host column; else `:`, this one. */
  constructor(
    path: string,
    framing: Framing,
    failed: (message: string) => void,
    hostOf?: (slot: number) => string,
    reporter: Reporter = process.stderr,
  ) {
    this.#path = path;
    this.#reporter = reporter;
    this.#failed = failed;
    this.#hostOf = hostOf ?? null;
    this.#framing = framing;
    if (path === '-') {
      this.#fd = null;
      reporter.write(`${COLUMNS.join('\t')}\n`);
      return;
    }
    let fd: number | undefined;
    try {
      fd = openReport(path, 'w');
      writeSync(fd, `${COLUMNS.join('\t')}\n`);
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      const why = describeWriteErrno(error);
      throw new UsageError(`cannot write the job log ${quoteName(path)}: ${why}`, error);
    }
    this.#fd = fd;
  }

  /** A try of `block` starts on `worker`: what an earlier try wrote is not this one's. */
  sent(worker: Worker, block: Block): void {
    const finder = createBoundaryFinder(this.#framing);
    const rows = this.#rows.get(worker) ?? new Map<Block, Row>();
    this.#rows.set(worker, rows);
    rows.set(block, {
      slot: worker.slot,
      start: Date.now(),
      bytesOut: 0,
      recordsOut: 0,
      finder,
    });
  }

  /** Output of `block`, counted in bytes and records. */
  output(worker: Worker, block: Block, chunk: Buffer): void {
    const row = this.#rows.get(worker)?.get(block);
    if (row === undefined) return;
    row.bytesOut += chunk.length;
    for (let end = row.finder.next(chunk, 0); end >= 0; end = row.finder.next(chunk, end))
      row.recordsOut++;
  }

  /**
   * `block` is done. A persistent worker answered it and runs on: exit value 0. A per-block
   * worker's row waits for its instance's end (`exited`), whose status --ok-status may have
   * accepted.
   */
  done(worker: Worker, block: Block, perBlock: boolean): void {
    if (perBlock) this.#exiting.set(worker, block);
    else this.#write(worker, block, { exitCode: 0, signal: null }, 'ok');
  }

  /** An instance of `worker` ended: the row of the block it had done, with its exit status. */
  exited(worker: Worker, end: WorkerOutcome): void {
    const block = this.#exiting.get(worker);
    if (block === undefined) return;
    this.#exiting.delete(worker);
    this.#write(worker, block, end.details ?? { exitCode: 0, signal: null }, 'ok');
  }

  /** `block` failed for good (its tries ran out, or the run halts). */
  lost(
    worker: Worker,
    block: Block,
    end: WorkerOutcome & { kind: 'failed' | 'cannot-start' },
  ): void {
    const status = `failed: ${end.reason}`.replace(/[\t\r\n]+/g, ' ');
    this.#write(worker, block, end.details ?? { exitCode: null, signal: null }, status);
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
  }

  #write(
    worker: Worker,
    block: Block,
    exit: { exitCode: number | null; signal: string | null },
    status: string,
  ): void {
    const row = this.#rows.get(worker)?.get(block);
    if (row === undefined) return;
    this.#rows.get(worker)!.delete(block);
    const now = Date.now();
    // A record without its delimiter at the end of the output is a record all the same.
    const recordsOut = row.recordsOut + (row.finder.midRecord ? 1 : 0);
    // A try made elsewhere (a queue's worker) is as its machine reported it.
    const tried = block.tried;
    const ended = tried ?? exit;
    const start = tried?.start ?? row.start;
    const signal =
      ended.signal === null ? 0 : (constants.signals[ended.signal as NodeJS.Signals] ?? 0);
    const fields = [
      block.seq + 1,
      tried?.host ?? this.#hostOf?.(row.slot) ?? ':',
      (start / 1000).toFixed(3),
      ((tried?.runtimeMs ?? now - row.start) / 1000).toFixed(3),
      block.bytes,
      row.bytesOut,
      ended.exitCode ?? -1,
      signal,
      tried?.slot ?? row.slot,
      block.records,
      recordsOut,
      tried?.attempts ?? block.failures + 1,
      status,
    ];
    if (this.#broken) return;
    try {
      const row = `${fields.join('\t')}\n`;
      if (this.#fd === null) this.#reporter.write(row);
      else writeSync(this.#fd, row);
    } catch (error) {
      // Its rows are the record of what ran: a run that cannot keep it fails, in one line.
      this.#broken = true;
      this.#failed(
        `cannot write the job log ${quoteName(this.#path)}: ${describeWriteErrno(error)}`,
      );
    }
  }
}
