import { tableEnvName } from '../../../filters/tables/env.js';
import { describeItem, type ShipItem } from '../shipment.js';
import type { HostConnection } from './connection.js';
import { ShipRefused, shipTo } from './ship.js';

/**
 * Ships `items` (--transfer paths and tables) to each of `hosts` at once, for the run `run`: each
 * host is sent what its cache lacks, and is then told where they are (`extras`: its tables'
 * variables, and the run's folder as its workers' when `transferring`). A host that refuses them
 * is dropped (`drop`), as one that cannot be reached is; stopped, none is.
 */
export async function shipHosts(
  hosts: readonly HostConnection[],
  items: readonly ShipItem[],
  run: string,
  transferring: boolean,
  stopped: AbortSignal | undefined,
  { drop, log }: { drop(host: HostConnection, reason: string): void; log(line: string): void },
): Promise<void> {
  await Promise.all(
    hosts.map(async (host) => {
      let shipped: Awaited<ReturnType<typeof shipTo>>;
      try {
        shipped = await shipTo(host, items, run);
      } catch (error) {
        // A host that cannot take them is dropped, as one that cannot be reached is.
        if (!(error instanceof ShipRefused)) throw error;
        // Stopped, manifold ended the connection itself: no news of the host.
        if (stopped?.aborted) return;
        drop(host, `cannot ship: ${error.message}`);
        return;
      }
      const { sent, kept, folder } = shipped;
      host.shipped = sent.map((item) => item.hash);
      const env: Record<string, string> = {};
      for (const item of items) {
        if (item.kind === 'table') env[tableEnvName(item.name)] = `${host.cache}/${item.hash}/data`;
      }
      host.extras = { env, ...(transferring ? { cwd: folder } : {}) };
      if (sent.length > 0) log(`host ${host.name}: shipped ${sent.map(describeItem).join(', ')}`);
      if (kept.length > 0)
        log(`host ${host.name}: already has ${kept.map(describeItem).join(', ')}`);
    }),
  );
}
