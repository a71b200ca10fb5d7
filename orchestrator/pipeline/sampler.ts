import { groupMembers } from '../workers/proc-stat.js';
import type { NodeBytes, NodeEnd, RunningNode } from './node.js';
import { readSample, readText, type Sample } from './proc.js';
import type { Wiring } from './wire.js';

/** What --stats reports of one stage. */
export interface StageStats {
  stage: string;
  command: string;
  pids: number[];
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Bytes the stage's processes read and wrote (from /proc, sampled), so per edge too. */
  bytesRead: number;
  bytesWritten: number;
  /** Time its processes were seen blocked on an empty pipe (reading) or a full one (writing). */
  blockedReadingMs: number;
  blockedWritingMs: number;
  cpuMs: number;
  /** Records in and out, for stages that cut records (fans). */
  records?: { in: number; out: number };
}

export interface PipelineStats {
  durationMs: number;
  /** CPU time of manifold itself, to compare with its stages'. */
  orchestratorCpuMs?: number;
  stages: StageStats[];
  /**
   * The stream between each stage and each one it writes to (a copy into each branch, each
   * branch into its combiner): what the writer wrote, at its rate.
   */
  edges: {
    from: string;
    to: string;
    bytes: number;
    megabytesPerSecond: number;
    records?: number;
  }[];
}

const INTERVAL_MS = 100;

/**
 * Watches the processes of a running pipeline through /proc every 100 ms: bytes read and
 * written, CPU time, and whether each is blocked in a pipe read or write. The orchestrator
 * never sees the bytes between two external commands, so this is how they are measured; the
 * figures are sampled, so a process's last 100 ms may be missed. Each process started is the
 * leader of its group: what counts is the whole group (a shell's children do a string stage's
 * work). An in-process node that counts its own bytes (a fan, a tee, a combiner) gives those,
 * for itself and its edges.
 */
export class StatsSampler {
  readonly #nodes: RunningNode[];
  /** Who writes to whom: the edges. */
  readonly #readers: Map<RunningNode, RunningNode[]>;
  readonly #feeds: Map<RunningNode, RunningNode[]>;
  readonly #started = Date.now();
  readonly #samples = new Map<number, Sample>();
  /** Every process seen in each group, by its leader: their last samples add up. */
  readonly #members = new Map<number, Set<number>>();
  /** Every group leader each node has had (a fan's per-block workers come and go). */
  readonly #leaders = new Map<RunningNode, Set<number>>();
  readonly #blocked = new Map<RunningNode, { reading: number; writing: number }>();
  readonly #timer: NodeJS.Timeout | null = null;
  readonly #onProgress: ((stats: PipelineStats) => void) | null;

  /** With `measure` false (no --stats or --progress), /proc is left alone: the scan costs. */
  constructor(
    { nodes, readers, feeds }: Pick<Wiring, 'nodes' | 'readers' | 'feeds'>,
    onProgress: ((stats: PipelineStats) => void) | null,
    measure = true,
  ) {
    this.#nodes = nodes;
    this.#readers = readers ?? new Map();
    this.#feeds = feeds ?? new Map();
    this.#onProgress = onProgress;
    if (!measure) return;
    this.#timer = setInterval(() => this.#sample(), INTERVAL_MS);
    this.#timer.unref();
  }

  stop(ends: NodeEnd[]): PipelineStats {
    if (this.#timer !== null) clearInterval(this.#timer);
    return this.#stats(ends);
  }

  #sample(): void {
    const members = groupMembers(new Set(this.#nodes.flatMap((node) => node.pids)));
    for (const node of this.#nodes) {
      const blocked = this.#blocked.get(node) ?? { reading: 0, writing: 0 };
      const leaders = this.#leaders.get(node) ?? new Set<number>();
      this.#leaders.set(node, leaders);
      for (const leader of node.pids) {
        leaders.add(leader);
        const seen = this.#members.get(leader) ?? new Set<number>();
        this.#members.set(leader, seen);
        const wchans: string[] = [];
        for (const pid of members.get(leader) ?? []) {
          const sample = readSample(pid);
          if (sample === null) continue;
          seen.add(pid);
          this.#samples.set(pid, sample);
          wchans.push(readText(`/proc/${pid}/wchan`) ?? '');
        }
        if (wchans.some((w) => w.includes('pipe_read'))) blocked.reading += INTERVAL_MS;
        if (wchans.some((w) => w.includes('pipe_write'))) blocked.writing += INTERVAL_MS;
      }
      this.#blocked.set(node, blocked);
    }
    this.#onProgress?.(this.#stats(null));
  }

  #stats(ends: NodeEnd[] | null): PipelineStats {
    const now = Date.now();
    const stages = this.#nodes.map((node, i) => {
      const end = ends?.[i];
      const sums = [...(this.#leaders.get(node) ?? node.pids)]
        .flatMap((leader) => [...(this.#members.get(leader) ?? [])])
        .map((pid) => this.#samples.get(pid))
        .filter((s) => s !== undefined);
      const own = node.bytes?.();
      const blocked = this.#blocked.get(node) ?? { reading: 0, writing: 0 };
      return {
        stage: node.label,
        command: node.description,
        pids: [...node.pids],
        exitCode: end?.exitCode ?? null,
        signal: end?.signal ?? null,
        durationMs: (end?.endedAt ?? now) - this.#started,
        bytesRead: own?.read ?? sums.reduce((n, s) => n + s.read, 0),
        bytesWritten: own?.written ?? sums.reduce((n, s) => n + s.written, 0),
        blockedReadingMs: blocked.reading,
        blockedWritingMs: blocked.writing,
        cpuMs: sums.reduce((n, s) => n + s.cpu, 0),
        ...(node.records ? { records: node.records() } : {}),
      };
    });
    const edges = this.#nodes.flatMap((node, i) => {
      const stats = stages[i]!;
      const seconds = Math.max(stats.durationMs, 1) / 1000;
      return (this.#readers.get(node) ?? []).map((reader, output) => {
        const input = this.#feeds.get(reader)?.indexOf(node) ?? 0;
        const bytes =
          edgeBytes(node.bytes?.(), output, reader.bytes?.(), input) ?? stats.bytesWritten;
        const edge = {
          from: node.label,
          to: reader.label,
          bytes,
          megabytesPerSecond: Math.round(bytes / 1e6 / seconds),
        };
        // The writer's records out, else the reader's in (a fan after a command): it reads
        // nothing else.
        const records = stats.records?.out ?? stages[this.#nodes.indexOf(reader)]?.records?.in;
        return records === undefined ? edge : { ...edge, records };
      });
    });
    return { durationMs: now - this.#started, stages, edges };
  }
}

/**
 * An edge's count where an end of it counts its own bytes: the writer's (a fan's output, a
 * tee's copy into this branch), else the reader's, which read what the writer wrote (a fan's
 * input, a combiner's of this branch); else undefined, for the writer's samples.
 */
function edgeBytes(
  writer: NodeBytes | undefined,
  output: number,
  reader: NodeBytes | undefined,
  input: number,
): number | undefined {
  if (writer !== undefined) return writer.byOutput?.[output] ?? writer.written;
  if (reader !== undefined) return reader.byInput?.[input] ?? reader.read;
  return undefined;
}
