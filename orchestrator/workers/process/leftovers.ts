import { STOP_GRACE_MS } from '../termseq.js';
import { acceptStatus } from '../transport.js';
import { processOutcome } from './outcome.js';
import type { WorkerProcess } from './spawn.js';

/**
 * Stops what a worker process left running in its process group once the process itself has
 * failed (a status `okStatus` does not take, or a signal) while its output is still held open,
 * as `sh -c 'sleep 60 & exit 3'` leaves its `sleep`: SIGTERM, then SIGKILL after the grace a
 * stopped worker has. Its output then ends and the failure is acted on at once (`--halt now`
 * stops the run; a retry starts), where it waited for the leftover's own end, for ever for one
 * that never ends (`tail -f`). A failed stage of `manifold run` has its leftovers stopped the
 * same way. One that ended well keeps its leftovers: what they write is still its output, as in
 * a shell pipeline. `stopped`: manifold is stopping it anyway.
 */
export function stopLeftoversOfFailure(
  child: WorkerProcess,
  okStatus: readonly number[],
  stopped: () => boolean,
): void {
  let ended = false;
  let kill: NodeJS.Timeout | undefined;
  void child.exited.then(() => {
    ended = true;
    clearTimeout(kill);
  });
  void child.leaderEnded.then((end) => {
    if (ended || stopped()) return;
    if (acceptStatus(processOutcome(end, child.pid, false), okStatus).kind !== 'failed') return;
    child.signalLeftovers('SIGTERM');
    kill = setTimeout(() => {
      if (!ended) child.signalLeftovers('SIGKILL');
    }, STOP_GRACE_MS).unref();
  });
}
