import { endGroupsLeft } from '../workers/group-left.js';
import { STOP_GRACE_MS } from '../workers/termseq.js';
import type { RunningNode } from './node.js';
import { ProcessNode } from './process.js';

/**
 * The stops a pipeline run sends its nodes: SIGTERM, then SIGKILL after a grace period, to each
 * node and what it started; the commands stopped are noted, so that what outlives them in their
 * process groups gets the SIGKILL too (`endGroupsLeft`), and a second signal cuts all short.
 */
export class NodeStops {
  readonly #sent = new Set<ProcessNode>();
  /** When the last SIGKILL sent goes, for what outlives its node. */
  #killAt = 0;

  /**
   * SIGTERM to `nodes` now, SIGKILL to their commands after the grace. A fan ends its workers as
   * its own `termseq` says: SIGKILL to it would cut that short, as a second signal does.
   */
  stop(nodes: readonly RunningNode[]): void {
    for (const node of nodes) node.stop('SIGTERM');
    setTimeout(() => {
      for (const node of nodes) if (node instanceof ProcessNode) node.stop('SIGKILL');
    }, STOP_GRACE_MS).unref();
    this.#killAt = Math.max(this.#killAt, Date.now() + STOP_GRACE_MS);
    for (const node of nodes) if (node instanceof ProcessNode) this.#sent.add(node);
  }

  /** SIGKILL now to `nodes` and what they started, and to what stopped ones left behind. */
  hurry(nodes: readonly RunningNode[]): void {
    this.#killAt = Date.now();
    for (const node of nodes) node.stop('SIGKILL');
  }

  /** Once every node has ended: what stopped commands left in their groups, ended by its time. */
  async endLeft(): Promise<void> {
    const left = [...this.#sent].flatMap((node) => node.pids.slice(0, 1));
    if (left.length > 0) await endGroupsLeft(left, () => this.#killAt);
  }
}
