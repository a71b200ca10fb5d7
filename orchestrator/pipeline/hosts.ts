import type { FanStage, Stage } from '../config/model.js';
import type { HostPool, PoolReporter } from '../workers/ssh/pool.js';

/** Every fan stage of a pipeline, in its branches too. */
export function fanStages(stages: readonly Stage[]): FanStage[] {
  return stages.flatMap((stage) => {
    if (stage.kind === 'fan') return [stage];
    if (stage.kind === 'branches')
      return stage.branches.flatMap((branch) => fanStages(branch.stages));
    return [];
  });
}

/**
 * Connects the hosts of each fan stage that has some (`hosts:`), before any stage starts, and
 * puts its workers on them. Returns the pools, to be closed once the run has ended.
 */
export async function connectStageHosts(
  stages: readonly Stage[],
  reporter: PoolReporter,
  stopped: AbortSignal,
): Promise<HostPool[]> {
  const pools: HostPool[] = [];
  try {
    for (const stage of fanStages(stages)) {
      if (stage.remote === undefined) continue;
      // Loaded only with hosts: a pipeline without them starts without the SSH machinery.
      const { HostPool } = await import('../workers/ssh/pool.js');
      // What the hosts say, as they connect and as the run goes (a host dropped), names the
      // stage, as the fan's own lines and a queue's do.
      const named = (line: string) => `stage ${stage.name}: ${line}`;
      const own = {
        say: (line: string) => reporter.say(named(line)),
        log: (line: string) => reporter.log(named(line)),
      };
      const pool = await HostPool.connect(stage.remote, own, stopped).catch((error: unknown) => {
        if (error instanceof Error) error.message = named(error.message);
        throw error;
      });
      pools.push(pool);
      // Stopped meanwhile: the caller closes what was connected, and starts nothing.
      if (stopped.aborted) break;
      stage.options = { ...stage.options, kind: 'ssh', remote: pool, workers: pool.slots };
    }
  } catch (error) {
    await Promise.all(pools.map((pool) => pool.close()));
    throw error;
  }
  return pools;
}
