import { ExitCode, ManifoldError } from '../../filters/index.js';
import type { Pipeline } from '../config/model.js';
import { describeStartError, isOutOfResources, openFileLimit } from '../workers/limits.js';
import { CombineNode } from './combine.js';
import { FanNode } from './fan-node.js';
import { feedersOf } from './feeders.js';
import { connectStageHosts } from './hosts.js';
import { describeEnd, isFailure, type NodeEnd, type RunningNode } from './node.js';
import { AtomicOutput } from './output-file.js';
import { openStageQueues } from './queues.js';
import { openRunInput } from './run-input.js';
import { type PipelineStats, StatsSampler } from './sampler.js';
import { NodeStops } from './stops.js';
import { failuresOf, judgeSigpipes } from './verdict.js';
import { addFeed, type Wiring, wireStages } from './wire.js';
import { OutputWitness } from './witness.js';

/** How a pipeline run ended. */
export type RunEnd =
  | { kind: 'done'; status: number; stats: PipelineStats }
  | { kind: 'closed'; stats?: PipelineStats }
  /** `stats`: where the stages had started, what they did until the signal (for --stats). */
  | { kind: 'signal'; signal: NodeJS.Signals; stats?: PipelineStats };

/** Where a run reads and writes and speaks, when not where its config and the CLI say. */
export interface PipelineIO {
  /** A descriptor to read instead of the config's input or stdin (closed by the run). */
  inputFd?: number;
  /** A descriptor of the library caller's to read instead: read by `cat`, never closed. */
  callerInputFd?: number;
  /** A descriptor to write instead of the config's output or stdout (closed by the run). */
  outputFd?: number;
  /**
   * Whether the reader of `outputFd` went before the run ended, where manifold reads it itself
   * (the library's output). @default asked of the descriptor with poll(2) (witness.ts)
   */
  outputGone?: () => boolean;
  /** Where the stages' stderr goes, and the fans' words. @default inherited, process.stderr */
  stderrFd?: number;
  fans?: Wiring['fans'];
  /** Hears each failure's line. @default written to process.stderr after `manifold: ` */
  failure?: (line: string) => void;
}

/**
 * Runs a checked pipeline: wires its stages with kernel pipes, waits for every node, and
 * decides the exit status as `set -o pipefail` would, except that a stage ended by SIGPIPE or
 * EPIPE after its reader finished is no failure. Output to a file is written to a temporary file
 * in the same folder and renamed into place only on success.
 */
export class PipelineRun {
  readonly #pipeline: Pipeline;
  readonly #log: (line: string) => void;
  readonly #wiring: Wiring;
  readonly #io: PipelineIO;
  #signal: NodeJS.Signals | null = null;
  readonly #stopped = new AbortController();
  readonly #stops = new NodeStops();
  #halted = false;
  /** Stopped because a stage they fed failed (feeders.ts). */
  readonly #stoppedAfter = new Set<RunningNode>();
  /** What fed a stage that failed, ended or not: a fan's job among them is not finished. */
  readonly #fedFailure = new Set<RunningNode>();
  /** How each node ended, as it did. */
  readonly #ends = new Map<RunningNode, NodeEnd>();
  /** The `cat` that feeds the first stage the inputs, if one does. */
  #feeder: RunningNode | null = null;
  /** What the failures of the run suggest (`RunningNode.hint`), for the CLI to say. */
  #hints: string[] = [];

  constructor(pipeline: Pipeline, log: (line: string) => void, io: PipelineIO = {}) {
    this.#pipeline = pipeline;
    this.#log = log;
    this.#io = io;
    this.#wiring = { nodes: [], stderr: io.stderrFd, fans: io.fans };
  }

  /** `measure`: sample the processes for --stats or --progress. */
  async run(onProgress: ((stats: PipelineStats) => void) | null, measure = true): Promise<RunEnd> {
    // Fans with hosts connect to them before any stage starts (docs/hosts.md).
    const say = (line: string) => {
      if (this.#io.failure !== undefined) this.#io.failure(line);
      else process.stderr.write(`manifold: ${line}\n`);
    };
    const reporter = { say, log: this.#log };
    const pools = await connectStageHosts(this.#pipeline.stages, reporter, this.#stopped.signal);
    let finished = false;
    try {
      if (this.#signal !== null) return { kind: 'signal', signal: this.#signal };
      // Fans with a queue open their jobs before any stage starts too (docs/queue.md).
      const jobs = await openStageQueues(this.#pipeline.stages, this.#log);
      // A job that is not this input's (another header) stops the run, kept, and says why.
      let refused: Error | null = null;
      for (const { job } of jobs) {
        job.refused.then((error) => {
          refused ??= error;
          this.#stopAs('SIGTERM');
        });
      }
      try {
        const end = await this.#run(onProgress, measure);
        if (refused !== null) throw refused;
        finished = end.kind !== 'signal';
        return end;
      } finally {
        await Promise.all(
          jobs.map(({ stage, job }) => job.close(finished && this.#fanFinished(stage))),
        );
      }
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
    }
  }

  async #run(
    onProgress: ((stats: PipelineStats) => void) | null,
    measure: boolean,
  ): Promise<RunEnd> {
    const pipeline = this.#pipeline;
    // Read while descriptors are left, for the message should the run run out of them.
    openFileLimit();
    const file =
      pipeline.output === null || this.#io.outputFd !== undefined
        ? null
        : await AtomicOutput.open(pipeline.output, this.#stopped.signal);
    // Stopped while a named pipe's open waited for its reader: nothing was started.
    if (this.#signal !== null) {
      file?.discard();
      return { kind: 'signal', signal: this.#signal };
    }
    let ends: NodeEnd[];
    let last: RunningNode;
    let sampler: StatsSampler;
    const output = file?.fd ?? this.#io.outputFd ?? 1;
    if (file !== null) this.#wiring.output = { fd: file.fd, name: pipeline.output! };
    // Asked, once all has ended, whether the output's reader went (verdict.ts).
    const witness =
      file?.isFile === true || this.#io.outputGone !== undefined ? null : new OutputWitness(output);
    const outputGone =
      this.#io.outputGone !== undefined
        ? async () => this.#io.outputGone!()
        : witness === null
          ? null
          : () => witness.gone();
    try {
      const opened = openRunInput(this.#pipeline, this.#io, this.#wiring);
      const { fd: input, feeder, name, files } = opened;
      this.#feeder = feeder;
      // Each descriptor now belongs to the one node that uses it: a child's are closed here once
      // it has its copies, an in-process node closes its own.
      let first: RunningNode;
      ({ first, last } = wireStages(
        pipeline,
        pipeline.stages,
        input,
        output,
        this.#wiring,
        this.#log,
        files ?? name,
      ));
      if (this.#feeder !== null) addFeed(this.#wiring, first, this.#feeder);
      sampler = new StatsSampler(this.#wiring, onProgress, measure);
      // A stage that could not start for want of descriptors stops the run: the others would
      // wait on a pipe nobody serves.
      ends = await Promise.all(
        this.#wiring.nodes.map((node) =>
          node.ended.then((end) => {
            this.#ends.set(node, end);
            if (end.halts) this.#halt();
            // The combiner's reader, the run's, went: what feeds it is let go, the run closed (a
            // branch that never wrote to it, `cat > /dev/null`, was fed for ever).
            else if (end.closedOutput && !end.error && node instanceof CombineNode && node === last)
              this.#stopFeeders(node, true);
            else if (isFailure(end) && !end.closedOutput) this.#stopFeeders(node);
            // A join that ended (`head -1 {a}`) reads no more: its branches are let go, as bash's
            // <( )s are, where one that wrote nothing to it was fed for ever.
            else if (this.#wiring.joins?.has(node)) this.#stopFeeders(node, true);
            return end;
          }),
        ),
      );
      // What stopped commands left in their process groups gets the SIGKILL too (group-left.ts).
      await this.#stops.endLeft();
    } catch (error) {
      // Whatever was started is stopped and waited for, and no temporary file stays behind.
      this.#stopAs('SIGTERM');
      await Promise.all(this.#wiring.nodes.map((node) => node.ended));
      witness?.release();
      file?.discard();
      if (isOutOfResources(error)) {
        throw new ManifoldError('manifold.io', describeStartError(error), {
          exitCode: ExitCode.failure,
          cause: error,
        });
      }
      throw error;
    }
    const stats = sampler.stop(ends);
    const cpu = process.cpuUsage();
    stats.orchestratorCpuMs = Math.round((cpu.user + cpu.system) / 1000);
    try {
      if (this.#signal !== null) {
        file?.discard();
        // Its stderr gone as a stage's failure was said there (SIGPIPE, from that write): the
        // run failed, exit 1, as when the line is said at the end (141 read as a reader gone).
        const failed = ends.some(
          (end) => end.signal === null && isFailure(end) && !end.closedOutput,
        );
        if (this.#signal === 'SIGPIPE' && failed)
          return { kind: 'done', status: ExitCode.failure, stats };
        return { kind: 'signal', signal: this.#signal, stats };
      }
      await judgeSigpipes(this.#wiring, ends, last, outputGone);
    } finally {
      witness?.release();
    }
    // A regular file has no reader to go: a SIGPIPE of its writer came from another pipe.
    const toFile = file?.isFile === true ? last : null;
    const failures = failuresOf(this.#wiring.nodes, ends, toFile, this.#stoppedAfter);
    for (const [node, end] of failures) {
      if (end.reported) continue;
      const line = `stage ${node.label} (${node.description}) ${describeEnd(end)}`;
      if (this.#io.failure !== undefined) this.#io.failure(line);
      else process.stderr.write(`manifold: ${line}\n`);
    }
    this.#hints = failures.flatMap(([node, end]) => node.hint?.(end) ?? []);
    if (failures.length > 0) file?.discard();
    else file?.commit();
    const lastEnd = ends[this.#wiring.nodes.indexOf(last)]!;
    // Its reader gone, a pipe's writer ends as a shell's does: stdout, a descriptor given, and
    // a named pipe alike (a named pipe's run ending 0 would say all was written).
    if (failures.length === 0 && lastEnd.closedOutput && file?.isFile !== true)
      return { kind: 'closed', stats };
    return { kind: 'done', status: failures.length === 0 ? ExitCode.ok : ExitCode.failure, stats };
  }

  /**
   * Whether the fan stage `label` ran its job to its end, or to its reader's going: not stopped
   * by the run (a stage it fed failed, one could not start), whose job then stays on the server,
   * to be resumed, as one stopped by a signal does: removing it would lose the answers of the
   * blocks it has run. A stage after it that failed keeps the job whether the fan had ended
   * first or not (its output all in the pipe, or its reader gone as it failed): which came
   * first was a race, the job removed or kept by it.
   */
  #fanFinished(label: string): boolean {
    const node = this.#wiring.nodes.find((n) => n instanceof FanNode && n.label === label);
    const end = node === undefined ? undefined : this.#ends.get(node);
    return (
      end !== undefined && end.signal === null && !this.#halted && !this.#fedFailure.has(node!)
    );
  }

  /** Hints for the failures of a run that has ended: `grep exits 1 when it selects nothing`. */
  get hints(): readonly string[] {
    return this.#hints;
  }

  /**
   * Stops every node and what it started (SIGTERM, then SIGKILL after a grace period). A signal
   * while stopping (a second Ctrl-C, or one after a stage's failure stopped the run) cuts the
   * grace short: SIGKILL now. Not SIGPIPE: each write of a gone stderr says it.
   */
  stop(signal: NodeJS.Signals): void {
    if (this.#halted && signal !== 'SIGPIPE') this.#stops.hurry(this.#wiring.nodes);
    this.#stopAs(signal);
  }

  /** Stops as `signal` does, once: the run's own stops (a job refused, an error). */
  #stopAs(signal: NodeJS.Signals): void {
    if (this.#signal !== null) return;
    this.#signal = signal;
    this.#stopped.abort();
    this.#halt();
  }

  /** Stops every node, as a signal does, but the run ends by its nodes' failures. */
  #halt(): void {
    if (this.#halted) return;
    this.#halted = true;
    this.#stops.stop(this.#wiring.nodes);
  }

  /**
   * Stops what feeds `failed` and what it left running in its own process group (a child
   * holding the pipe the next stage reads): they are not named as failures, `failed` is. A
   * feeder that had already ended was not stopped: its own failure is named. A join that ended
   * well (`ended`) is not stopped, nor are its feeders its failure's.
   */
  #stopFeeders(failed: RunningNode, ended = false): void {
    if (this.#halted) return;
    const feeders = feedersOf(failed, this.#wiring.feeds ?? new Map());
    for (const node of feeders) {
      if (!ended) this.#fedFailure.add(node);
      if (!this.#ends.has(node)) this.#stoppedAfter.add(node);
    }
    this.#stops.stop(
      ended ? feeders.filter((node) => !this.#ends.has(node)) : [failed, ...feeders],
    );
  }
}
