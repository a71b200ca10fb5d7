import type { RunningNode } from './node.js';

/**
 * Every node that feeds `node`, however far back: its writers, theirs, and so on. A stage that
 * failed stops them (run.ts): in a shell they would die of SIGPIPE at their next write, but one
 * that never writes again (`sleep`, `tail -f`, a long computation) would keep the run waiting
 * for ever, its output going nowhere. The nodes after it see the end of their input and finish
 * as in a shell.
 */
export function feedersOf(
  node: RunningNode,
  feeds: Map<RunningNode, RunningNode[]>,
): RunningNode[] {
  const found = new Set<RunningNode>();
  const queue = [...(feeds.get(node) ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(feeds.get(next) ?? []));
  }
  return [...found];
}
