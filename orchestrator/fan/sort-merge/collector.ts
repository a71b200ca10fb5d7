import { type ChildProcess, spawn } from 'node:child_process';
import { ExitCode, ManifoldError } from '../../../filters/index.js';
import { closeAll, type KernelPipe } from '../../pipeline/pipes.js';
import { describeStartError, isOutOfResources } from '../../workers/limits.js';
import { socketReads } from '../../workers/reads.js';
import type { Worker } from '../../workers/types.js';
import type { Collector, Room } from '../collect.js';
import type { FanOptions } from '../options.js';
import { CheckedRecords } from './checked.js';

/** What the merge writes into: the fan's output, with no worker to name for a record. */
export interface MergedSink {
  /** Writes whole records (`records` of them), counted in the totals only. */
  emit(parts: Buffer[], records: number): void;
  /** True while the output holds more than it should: reading sort -m waits for `room`. */
  readonly full: boolean;
  room: Room;
  /** Stops the run with an error (sort -m failed, or wrote records out of order). */
  fail(error: unknown): void;
}

/**
 * `--merge sorted` done by GNU `sort -m`: each worker writes into a kernel pipe that sort -m
 * reads (as /dev/fd/3, /dev/fd/4, ...), so their output never passes through manifold; manifold
 * reads sort -m's output once, checking it is in order (checked.ts) as it hands it on.
 *
 * manifold keeps the write end of every pipe open until it knows how the worker ended: sort -m
 * sees a worker's output end only once the worker has ended well. A worker that fails never
 * ends its run for sort -m, so a record it had begun is never taken as whole, and the fan stops
 * (`--halt now`) with sort -m, nothing written after the failure is known.
 */
export class SortMergeCollector implements Collector {
  readonly #sink: MergedSink;
  readonly #child: ChildProcess;
  readonly #checked: CheckedRecords;
  /** Each worker's write end, by slot from 1; -1 once closed. */
  readonly #writeEnds: number[];
  readonly #failed = new Set<number>();
  readonly #exited: Promise<void>;
  readonly #read: Promise<void>;
  #status: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  #stderr = '';
  #aborted = false;

  /**
   * `merge`: the command that merges (sort, perhaps under stdbuf), the workers' pipes, and the
   * pipe it writes into: a kernel pipe read a pipeful at a time into buffers used again, where
   * Node's own stdout for a child is a socket pair read 64 KiB at a time into fresh ones.
   */
  constructor(
    options: FanOptions,
    merge: { command: string; args: string[]; pipes: KernelPipe[]; output: KernelPipe },
    sink: MergedSink,
  ) {
    const { command, args, pipes, output } = merge;
    this.#sink = sink;
    const delimiter = options.outputFraming.kind === 'delimited' ? options.outputFraming : null;
    this.#checked = new CheckedRecords(delimiter?.delimiter[0] ?? 0x0a, options);
    this.#writeEnds = pipes.map((pipe) => pipe.write);
    const inputs = pipes.map((_, i) => `/dev/fd/${3 + i}`);
    // Its own process group, as the workers: a Ctrl-C reaches manifold, which stops it.
    this.#child = spawn(command, [...args, ...inputs], {
      stdio: ['ignore', output.write, 'pipe', ...pipes.map((pipe) => pipe.read)],
      detached: true,
      // sort -m may spill too (many inputs at once): into --tmpdir, as manifold's own merge.
      env: {
        ...process.env,
        LC_ALL: 'C',
        ...(options.tmpdir === undefined ? {} : { TMPDIR: options.tmpdir }),
      },
    });
    closeAll([output.write, ...pipes.map((pipe) => pipe.read)]);
    const child = this.#child;
    child.on('error', (error) =>
      this.#fail(
        isOutOfResources(error)
          ? new ManifoldError(
              'manifold.io',
              `cannot start the merge (sort -m): ${describeStartError(error)}`,
              { exitCode: ExitCode.usage, cause: error },
            )
          : error,
      ),
    );
    // None where its pipes could not be made (out of descriptors): its 'error' says so.
    child.stderr?.setEncoding('latin1');
    child.stderr?.on('data', (text: string) => {
      this.#stderr += text.slice(0, 4096 - this.#stderr.length);
    });
    this.#exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.#status = { code, signal };
        // Failing on its own, sort -m says why at once: its workers would die of SIGPIPE next.
        if (code !== 0) this.#fail(this.#failure());
        resolve();
      });
    });
    this.#read = this.#readAll(output.read);
  }

  output(worker: Worker): void {
    unexpected(worker);
  }

  blockOutput(worker: Worker): void {
    unexpected(worker);
  }

  trailing(worker: Worker): void {
    unexpected(worker);
  }

  // Output is tied to no block here: there are no blocks to finish or forget.
  blockDone(): void {}
  blockFailed(): void {}
  blockLost(): void {}

  workerFailed(worker: Worker): void {
    this.#failed.add(worker.slot);
  }

  /** A worker that ended well: its output ends, for sort -m. */
  workerEnded(worker: Worker): void {
    if (!this.#failed.has(worker.slot)) this.#closeWriteEnd(worker.slot);
  }

  mayStart(): boolean {
    return true;
  }

  /** Every worker has ended well: waits for sort -m to merge the last of their output. */
  async finish(): Promise<void> {
    await this.#read;
    await this.#exited;
    // Stopped meanwhile (a record out of order, sort -m failing): that failure has been told.
    if (this.#aborted) return;
    const last = this.#checked.end();
    if (last.length > 0) this.#sink.emit(last, 1);
  }

  /** How sort -m failed, in one line, with the first line it wrote on stderr. */
  #failure(): ManifoldError {
    const { code, signal } = this.#status!;
    const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
    const said = this.#stderr.trim().split('\n')[0];
    return new ManifoldError(
      'manifold.failure',
      `the merge (sort -m, pid ${this.#child.pid}) ${how}${said ? `: ${said}` : ''}`,
      { exitCode: ExitCode.failure },
    );
  }

  /** The fan stops: so does sort -m. Resolves once it has ended. */
  abort(): Promise<void> {
    this.#aborted = true;
    const pid = this.#child.pid;
    if (pid !== undefined && this.#status === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
    }
    for (let slot = 1; slot <= this.#writeEnds.length; slot++) this.#closeWriteEnd(slot);
    return this.#exited;
  }

  /**
   * Hands sort -m's output (its pipe's read end, `fd`) on as it is checked, at the pace the
   * output takes it; once stopped, reads it to its end and drops it.
   */
  async #readAll(fd: number): Promise<void> {
    const checked = this.#checked;
    const sink = this.#sink;
    const { chunks } = socketReads(fd, async () => {});
    try {
      for await (const chunk of chunks) {
        if (this.#aborted) continue;
        const before = checked.count;
        const parts = checked.push(chunk);
        if (parts.length > 0) sink.emit(parts, checked.count - before);
        if (sink.full && !(await sink.room())) this.#aborted = true;
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#sink.fail(error);
  }

  #closeWriteEnd(slot: number): void {
    const fd = this.#writeEnds[slot - 1]!;
    if (fd < 0) return;
    this.#writeEnds[slot - 1] = -1;
    closeAll([fd]);
  }
}

/** Workers of this merge write into their pipes: output reaching manifold is a defect. */
function unexpected(worker: Worker): never {
  throw new Error(`worker ${worker.slot} wrote to manifold the output that sort -m was to read`);
}
