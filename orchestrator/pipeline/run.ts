import { closeSync, openSync, statSync } from 'node:fs';
import { ExitCode, ManifoldError } from '../../filters/index.js';
import type { Pipeline } from '../config/model.js';
import { describeStartError, isOutOfResources, openFileLimit } from '../workers/process/limits.js';
import { checkGiven, descriptorNamed } from './given-descriptor.js';
import { connectStageHosts } from './hosts.js';
import { describeEnd, isFailure, type NodeEnd, type RunningNode } from './node.js';
import { AtomicOutput } from './output-file.js';
import { openPipes } from './pipes.js';
import { ProcessNode } from './process.js';
import { openStageQueues } from './queues.js';
import { type PipelineStats, StatsSampler } from './sampler.js';
import { isReaderGone } from './stderr-gone.js';
import { type Wiring, wireStages } from './wire.js';

/** How a pipeline run ended. */
export type RunEnd =
  | { kind: 'done'; status: number; stats: PipelineStats }
  | { kind: 'closed' }
  | { kind: 'signal'; signal: NodeJS.Signals };

const STOP_GRACE_MS = 2000;

/** Where a run reads and writes and speaks, when not where its config and the CLI say. */
export interface PipelineIO {
  /** A descriptor to read instead of the config's input or stdin (closed by the run). */
  inputFd?: number;
  /** A descriptor to write instead of the config's output or stdout (closed by the run). */
  outputFd?: number;
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
  #halted = false;

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
      for (const job of jobs) {
        job.refused.then((error) => {
          refused ??= error;
          this.stop('SIGTERM');
        });
      }
      try {
        const end = await this.#run(onProgress, measure);
        if (refused !== null) throw refused;
        finished = end.kind !== 'signal';
        return end;
      } finally {
        await Promise.all(jobs.map((job) => job.close(finished)));
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
    try {
      const input = this.#openInput();
      // Each descriptor now belongs to the one node that uses it: a child's are closed here once
      // it has its copies, an in-process node closes its own.
      ({ last } = wireStages(
        pipeline,
        pipeline.stages,
        input,
        file?.fd ?? this.#io.outputFd ?? 1,
        this.#wiring,
        this.#log,
      ));
      last.downstream = null;
      sampler = new StatsSampler(this.#wiring.nodes, onProgress, measure);
      // A stage that could not start for want of descriptors stops the run: the others would
      // wait on a pipe nobody serves.
      ends = await Promise.all(
        this.#wiring.nodes.map((node) =>
          node.ended.then((end) => {
            if (end.halts) this.#halt();
            return end;
          }),
        ),
      );
    } catch (error) {
      // Whatever was started is stopped and waited for, and no temporary file stays behind.
      this.stop('SIGTERM');
      await Promise.all(this.#wiring.nodes.map((node) => node.ended));
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
    if (this.#signal !== null) {
      file?.discard();
      return { kind: 'signal', signal: this.#signal };
    }
    await this.#judgeSigpipes(ends, last, file === null && this.#io.outputFd === undefined);
    // A regular file has no reader to go: a SIGPIPE of its writer came from another pipe.
    const failures = this.#failures(ends, file?.isFile === true ? last : null);
    for (const [node, end] of failures) {
      if (end.reported) continue;
      const line = `stage ${node.label} (${node.description}) ${describeEnd(end)}`;
      if (this.#io.failure !== undefined) this.#io.failure(line);
      else process.stderr.write(`manifold: ${line}\n`);
    }
    if (failures.length > 0) file?.discard();
    else file?.commit();
    const lastEnd = ends[this.#wiring.nodes.indexOf(last)]!;
    // Its reader gone, a pipe's writer ends as a shell's does: stdout, a descriptor given, and
    // a named pipe alike (before 2026-12-04 a named pipe's run ended 0, as if all was written).
    if (failures.length === 0 && lastEnd.closedOutput && file?.isFile !== true)
      return { kind: 'closed' };
    return { kind: 'done', status: failures.length === 0 ? ExitCode.ok : ExitCode.failure, stats };
  }

  /** Stops every node and what it started (SIGTERM, then SIGKILL after a grace period). */
  stop(signal: NodeJS.Signals): void {
    if (this.#signal !== null) return;
    this.#signal = signal;
    this.#stopped.abort();
    this.#halt();
  }

  /** Stops every node, as a signal does, but the run ends by its nodes' failures. */
  #halt(): void {
    if (this.#halted) return;
    this.#halted = true;
    for (const node of this.#wiring.nodes) node.stop('SIGTERM');
    setTimeout(() => {
      for (const node of this.#wiring.nodes) node.stop('SIGKILL');
    }, STOP_GRACE_MS).unref();
  }

  /**
   * A command killed by SIGPIPE while the pipe it wrote to was still read (witness.ts), or, the
   * last, while manifold's stdout was, died of another pipe of its own: its output was cut
   * short, a failure (before 2026-12-04 it was forgiven, exit 0).
   */
  async #judgeSigpipes(ends: NodeEnd[], last: RunningNode, toStdout: boolean): Promise<void> {
    for (const [i, node] of this.#wiring.nodes.entries()) {
      const end = ends[i]!;
      if (!end.closedOutput || end.error !== undefined || !(node instanceof ProcessNode)) continue;
      const witness = this.#wiring.witnesses?.get(node);
      let reader: string | null = null; // what was still there
      if (witness !== undefined && !witness.excuses) reader = 'the stage after it still read';
      else if (node === last && toStdout && !(await isReaderGone(1)))
        reader = "manifold's output still had a reader";
      if (reader === null) continue;
      const error = `${describeEnd(end)} while ${reader}: its output was cut short`;
      ends[i] = { ...end, closedOutput: false, error };
    }
  }

  /**
   * Failed nodes. A writer ended by SIGPIPE or EPIPE is not among them: that only happens once
   * its reader has gone, and if the reader went because it failed, the reader is reported. But
   * `toFile`, the node writing the output file, which no reader can close: its SIGPIPE came
   * from another pipe (its stderr's reader gone), its output cut short. (A command whose
   * stderr's reader is gone when it dies of SIGPIPE has it said by process.ts: not closedOutput.)
   */
  #failures(ends: NodeEnd[], toFile: RunningNode | null): [RunningNode, NodeEnd][] {
    const all = this.#wiring.nodes.map((node, i) => [node, ends[i]!] as [RunningNode, NodeEnd]);
    // Stopped because one could not start: that one is the failure, not the stopped.
    if (all.some(([, end]) => end.halts)) return all.filter(([, end]) => end.halts);
    return all.filter(
      ([node, end]) =>
        isFailure(end) && !(end.closedOutput && end.error === undefined && node !== toFile),
    );
  }

  /**
   * stdin as it is; one regular file opened directly; anything else fed in order by `cat`. A
   * named pipe's open waits for a writer, perhaps forever: `cat` waits in its own process, which
   * a signal stops, never on manifold's main thread.
   */
  #openInput(): number {
    const inputs = this.#pipeline.inputs;
    if (this.#io.inputFd !== undefined) return this.#io.inputFd;
    if (inputs === null) return 0;
    // `/dev/fd/3`, given by the shell (`3< <(cmd)`), is read by cat as in a shell: given to it.
    const given: (number | 'ignore')[] = [];
    for (const path of inputs) {
      const fd = descriptorNamed(path);
      if (fd === null || fd <= 2) continue;
      checkGiven(fd, path, 'read');
      given[fd] = fd;
    }
    if (inputs.length === 1 && statSync(inputs[0]!).isFile()) return openSync(inputs[0]!, 'r');
    const [pipe] = openPipes(1);
    const feeder = new ProcessNode(
      'input',
      { argv: ['cat', '--', ...inputs], shell: false },
      this.#pipeline.folder,
      // manifold's stdin, for an input named /dev/stdin, as cat reads it in a shell; it reads
      // none otherwise (before, 'ignore' made /dev/stdin /dev/null: nothing read, exit 0).
      Array.from({ length: Math.max(given.length, 2) }, (_, i) =>
        i === 0 ? 0 : i === 1 ? pipe!.write : (given[i] ?? 'ignore'),
      ),
      undefined,
      this.#wiring.stderr,
    );
    closeSync(pipe!.write);
    this.#wiring.nodes.push(feeder);
    feeder.downstream = null;
    return pipe!.read;
  }
}
