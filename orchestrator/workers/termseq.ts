import { constants } from 'node:os';
import type { StopReason } from './transport.js';

/** One step of ending a worker: a signal, then how long it has to end before the next step. */
export interface TermStep {
  signal: NodeJS.Signals;
  ms: number;
}

/** How manifold ends a worker, step by step, as GNU parallel's `--termseq` says it. */
export type TermSeq = readonly TermStep[];

/**
 * A worker past its `--timeout`, by default: GNU parallel's own default `--termseq`
 * (TERM,200,TERM,100,TERM,50,KILL,25), so a `trap ... TERM` runs, and SIGKILL 350 ms on.
 */
export const ABANDON_SEQ: TermSeq = [
  { signal: 'SIGTERM', ms: 200 },
  { signal: 'SIGTERM', ms: 100 },
  { signal: 'SIGTERM', ms: 50 },
  { signal: 'SIGKILL', ms: 25 },
];

/** How long a worker asked to end when the run stops (a signal, --halt now) has, by default. */
export const STOP_GRACE_MS = 2000;

/** Every worker when the run stops, by default: SIGTERM, SIGKILL STOP_GRACE_MS later. */
export const STOP_SEQ: TermSeq = [
  { signal: 'SIGTERM', ms: STOP_GRACE_MS },
  { signal: 'SIGKILL', ms: 25 },
];

/** A sequence as a job carries it to a queue's workers: `SIGINT,5000,SIGKILL,25`. */
export function termSeqText(seq: TermSeq): string {
  return seq.map((step) => `${step.signal},${step.ms}`).join(',');
}

/** When a sequence started now sends its SIGKILL (its last step's, or past its last time). */
export function killTime(seq: TermSeq, from = Date.now()): number {
  let at = from;
  for (const step of seq) {
    if (step.signal === 'SIGKILL') return at;
    at += step.ms;
  }
  return at;
}

/** A step's signal as a transport's stop: SIGTERM and SIGKILL keep their own names. */
export function stopReasonOf(signal: NodeJS.Signals): StopReason {
  if (signal === 'SIGTERM') return 'graceful';
  if (signal === 'SIGKILL') return 'kill';
  return { signal };
}

/** The signal a stop sends a process: `graceful` SIGTERM, `kill` SIGKILL, or the one named. */
export function signalOf(reason: StopReason): NodeJS.Signals {
  if (reason === 'graceful') return 'SIGTERM';
  if (reason === 'kill') return 'SIGKILL';
  return reason.signal;
}

/**
 * Ends something as `seq` says: `stop` with the first step's signal now, then with each next
 * step's while `going()` says it is still there, each step's time apart; SIGKILL after the last
 * step's time if the sequence did not end with it, so that nothing is left running (GNU parallel
 * leaves what outlives its sequence). The timers do not keep the process alive. Returns what cuts
 * the sequence short: SIGKILL now, if still `going()` (a second signal to manifold).
 */
export function runTermSeq(
  seq: TermSeq,
  stop: (reason: StopReason) => void,
  going: () => boolean,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  const kill = () => {
    clearTimeout(timer);
    if (killed) return;
    killed = true;
    stop('kill');
  };
  const step = (index: number) => {
    if (index > 0 && !going()) return;
    const next = seq[index];
    if (next === undefined) {
      kill();
      return;
    }
    if (next.signal === 'SIGKILL') {
      kill();
      return;
    }
    stop(stopReasonOf(next.signal));
    timer = setTimeout(() => step(index + 1), next.ms).unref();
  };
  step(0);
  return () => {
    if (going()) kill();
  };
}

/** What a sequence ends: a worker, stopped step by step while it has not ended. */
export interface Stoppable {
  stop(reason: StopReason): void;
  readonly ended: boolean;
}

/** Ends each of `workers` as `seq` says (runTermSeq); returns what cuts each one's short. */
export function stopEach(workers: readonly Stoppable[], seq: TermSeq): (() => void)[] {
  return workers.map((worker) =>
    runTermSeq(
      seq,
      (reason) => worker.stop(reason),
      () => !worker.ended,
    ),
  );
}

/** Signal numbers by name (SIGTERM), as a sequence may give them. */
const SIGNALS = constants.signals as Record<string, number>;

/** Signal names by number: a sequence's `15`, a starter's report of how a command died. */
export const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/**
 * A signal as a sequence names it: `TERM`, `SIGTERM`, `term` or `15`; undefined when it is none
 * a process can be sent (0 only probes).
 */
export function signalNamed(text: string): NodeJS.Signals | undefined {
  if (/^\d+$/.test(text)) return SIGNAL_NAMES.get(Number(text));
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return SIGNALS[name] === undefined ? undefined : (name as NodeJS.Signals);
}
