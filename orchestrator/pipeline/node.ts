/** How a node of a running pipeline ended. */
export interface NodeEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Ended by a closed output (SIGPIPE, EPIPE): not a failure when its reader had finished. */
  closedOutput: boolean;
  /**
   * Killed by SIGPIPE with its stderr's reader gone too: which pipe killed it is for its
   * output's witness to tell (verdict.ts), a failure where none can.
   */
  stderrGone?: boolean;
  /** A message for a failure that is not an exit status (an in-process node's error). */
  error?: string;
  /** The node could not start for want of descriptors or processes: the whole run stops. */
  halts?: boolean;
  /** The node has said on stderr why it failed (a fan names its worker): say no more. */
  reported?: boolean;
  /** It exited with a status other than 0 that its stage's `ok-status` accepts: no failure. */
  accepted?: boolean;
  endedAt: number;
}

/** Bytes a node counts itself, as it reads and writes them (for --stats). */
export interface NodeBytes {
  read: number;
  written: number;
  /** A combiner's: what it read of each input, in the order of its writers (`Wiring.feeds`). */
  byInput?: number[];
  /** A tee's: what it wrote to each output, in the order of its readers (`Wiring.readers`). */
  byOutput?: number[];
}

/**
 * One running part of a pipeline: an external command, a fan, a tee or a combiner. A tee has
 * several outputs, a combiner several inputs; who reads whom is the wiring's (`Wiring.feeds`).
 */
export interface RunningNode {
  /** The stage's name for messages: its `name`, or `stages[2]`. */
  readonly label: string;
  /** What it runs, for messages. */
  readonly description: string;
  readonly pids: number[];
  readonly ended: Promise<NodeEnd>;
  /** Stops it and everything it started. */
  stop(signal: NodeJS.Signals): void;
  /** Records in and out, where the node reads its framing (a fan); for --stats. */
  records?(): { in: number; out: number };
  /** Bytes read and written, where the node counts them itself (a fan, a tee, a combiner); else /proc's. */
  bytes?(): NodeBytes;
  /**
   * A hint for the user after its failure `end`, in the config's words, or null: a `grep` that
   * exited 1 selected nothing (`manifold fan`'s hint, cli/shell-hint.ts).
   */
  hint?(end: NodeEnd): string | null;
}

export function isFailure(end: NodeEnd): boolean {
  return (
    end.error !== undefined || end.signal !== null || (end.exitCode !== 0 && end.accepted !== true)
  );
}

export function describeEnd(end: NodeEnd): string {
  if (end.error !== undefined) return end.error;
  if (end.signal !== null) return `was killed by ${end.signal}`;
  return `exited with status ${end.exitCode}`;
}
