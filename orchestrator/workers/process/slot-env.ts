import type { SlotSpec } from '../transport.js';

/**
 * The environment of a slot's processes: manifold's, the command's, and the slot's place, as GNU
 * parallel's {%} ($PARALLEL_JOBSLOT) (a worker of a sharded job opens its own shard, names its
 * own files). Made once per slot: copying process.env costs most of a millisecond, and per-block
 * workers start a process per block.
 */
export function slotEnvironment(spec: SlotSpec): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...spec.command.env,
    MANIFOLD_WORKER: String(spec.slot),
    MANIFOLD_WORKERS: String(spec.workers),
    MANIFOLD_SLOT: String(spec.slot),
  };
  // A block's own, set per block: not those of a manifold that runs this one as its worker.
  delete env.MANIFOLD_BLOCK;
  delete env.MANIFOLD_FIRST_RECORD;
  return env;
}
