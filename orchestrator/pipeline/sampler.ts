import { readFileSync } from 'node:fs';
import type { NodeEnd, RunningNode } from './node.js';

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
  /** The stream between each stage and the next: what the writer wrote, at its rate. */
  edges: {
    from: string;
    to: string;
    bytes: number;
    megabytesPerSecond: number;
    records?: number;
  }[];
}

const INTERVAL_MS = 100;
const TICK = 100; // clock ticks per second for /proc/<pid>/stat

interface Sample {
  read: number;
  written: number;
  cpu: number;
}

/**
 * Watches the processes of a running pipeline through /proc every 100 ms: bytes read and
 * written, CPU time, and whether each is blocked in a pipe read or write. The orchestrator
 * never sees the bytes between two external commands, so this is how they are measured; the
 * figures are sampled, so a process's last 100 ms may be missed.
 */
export class StatsSampler {
  readonly #nodes: RunningNode[];
  readonly #started = Date.now();
  readonly #samples = new Map<number, Sample>();
  readonly #blocked = new Map<RunningNode, { reading: number; writing: number }>();
  readonly #timer: NodeJS.Timeout;
  readonly #onProgress: ((stats: PipelineStats) => void) | null;

  constructor(nodes: RunningNode[], onProgress: ((stats: PipelineStats) => void) | null) {
    this.#nodes = nodes;
    this.#onProgress = onProgress;
    this.#timer = setInterval(() => this.#sample(), INTERVAL_MS);
    this.#timer.unref();
  }

  stop(ends: NodeEnd[]): PipelineStats {
    clearInterval(this.#timer);
    return this.#stats(ends);
  }

  #sample(): void {
    for (const node of this.#nodes) {
      const blocked = this.#blocked.get(node) ?? { reading: 0, writing: 0 };
      for (const pid of node.pids) {
        const sample = readSample(pid);
        if (sample !== null) this.#samples.set(pid, sample);
        const wchan = readText(`/proc/${pid}/wchan`);
        if (wchan?.includes('pipe_read')) blocked.reading += INTERVAL_MS;
        if (wchan?.includes('pipe_write')) blocked.writing += INTERVAL_MS;
      }
      this.#blocked.set(node, blocked);
    }
    this.#onProgress?.(this.#stats(null));
  }

  #stats(ends: NodeEnd[] | null): PipelineStats {
    const now = Date.now();
    const stages = this.#nodes.map((node, i) => {
      const end = ends?.[i];
      const sums = node.pids.map((pid) => this.#samples.get(pid)).filter((s) => s !== undefined);
      const blocked = this.#blocked.get(node) ?? { reading: 0, writing: 0 };
      return {
        stage: node.label,
        command: node.description,
        pids: [...node.pids],
        exitCode: end?.exitCode ?? null,
        signal: end?.signal ?? null,
        durationMs: (end?.endedAt ?? now) - this.#started,
        bytesRead: sums.reduce((n, s) => n + s.read, 0),
        bytesWritten: sums.reduce((n, s) => n + s.written, 0),
        blockedReadingMs: blocked.reading,
        blockedWritingMs: blocked.writing,
        cpuMs: sums.reduce((n, s) => n + s.cpu, 0),
        ...(node.records ? { records: node.records() } : {}),
      };
    });
    const edges = this.#nodes.flatMap((node, i) => {
      const reader = node.downstream;
      if (reader === null) return [];
      const stats = stages[i]!;
      const seconds = Math.max(stats.durationMs, 1) / 1000;
      const edge = {
        from: node.label,
        to: reader.label,
        bytes: stats.bytesWritten,
        megabytesPerSecond: Math.round(stats.bytesWritten / 1e6 / seconds),
      };
      return [stats.records ? { ...edge, records: stats.records.out } : edge];
    });
    return { durationMs: now - this.#started, stages, edges };
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readSample(pid: number): Sample | null {
  const io = readText(`/proc/${pid}/io`);
  const stat = readText(`/proc/${pid}/stat`);
  if (io === null || stat === null) return null;
  const field = (name: string) =>
    Number(/^(\w+): (\d+)$/m.exec(io.slice(io.indexOf(name)))?.[2] ?? 0);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
  return { read: field('rchar'), written: field('wchar'), cpu };
}
