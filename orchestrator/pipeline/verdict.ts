import { describeEnd, isFailure, type NodeEnd, type RunningNode } from './node.js';
import { ProcessNode } from './process.js';
import type { Wiring } from './wire.js';

/**
 * A command killed by SIGPIPE while the pipe it wrote to was still read (witness.ts), or, the
 * last, while the run's output was, died of another pipe of its own: its output was cut
 * short, a failure: forgiven, exit 0 would pass a cut stream on as whole. Rewrites such ends in
 * `ends`. `outputGone`: whether the output's reader has gone, null for an output no reader can
 * close (a regular file: verdict's `toFile`). It is asked of every output a reader can close,
 * not stdout alone: the last stage writing to `3>&1`, a named pipe or the library's output is
 * judged as one writing to stdout, or its output cut short would pass as a reader gone (141).
 */
export async function judgeSigpipes(
  wiring: Wiring,
  ends: NodeEnd[],
  last: RunningNode,
  outputGone: (() => Promise<boolean>) | null,
): Promise<void> {
  for (const [i, node] of wiring.nodes.entries()) {
    const end = ends[i]!;
    if (!end.closedOutput || end.error !== undefined || !(node instanceof ProcessNode)) continue;
    const witness = wiring.witnesses?.get(node);
    let reader: string | null = null; // what was still there
    if (witness !== undefined && !witness.excuses) reader = 'the stage after it still read';
    else if (node === last && outputGone !== null && !(await outputGone()))
      reader = "manifold's output still had a reader";
    // Its stderr's reader gone too, and nothing to tell which pipe killed it: it may have died
    // writing there, its output cut short. (With both readers gone, its own left first.)
    const told = witness?.held === true || (node === last && outputGone !== null);
    if (reader === null && end.stderrGone === true && !told) {
      const error = `${describeEnd(end)} with its stderr's reader gone: its output may be cut short`;
      ends[i] = { ...end, closedOutput: false, error };
      continue;
    }
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
 * Nor are the nodes in `stopped`, stopped because another failed (feeders.ts): that one is the
 * failure.
 */
export function failuresOf(
  nodes: RunningNode[],
  ends: NodeEnd[],
  toFile: RunningNode | null,
  stopped: Set<RunningNode>,
): [RunningNode, NodeEnd][] {
  const all = nodes.map((node, i) => [node, ends[i]!] as [RunningNode, NodeEnd]);
  // Stopped because one could not start: that one is the failure, not the stopped.
  if (all.some(([, end]) => end.halts)) return all.filter(([, end]) => end.halts);
  return all.filter(
    ([node, end]) =>
      isFailure(end) &&
      !stopped.has(node) &&
      !(end.closedOutput && end.error === undefined && node !== toFile),
  );
}
