import { UsageError } from '../../../filters/index.js';
import type { WorkerKind } from '../transport.js';

/**
 * Workers on other machines over SSH (`--host`): each slot's instances run on its host's
 * session, placed there by the connected hosts the fan is given (`SlotSpec.remote`, a
 * `HostPool`).
 */
export const sshKind: WorkerKind = {
  forSlot: (spec) => {
    const remote = spec.remote;
    if (remote === undefined) throw new UsageError('ssh workers need hosts (--host)');
    return {
      open: (events, block) => remote.open(spec, events, block),
      // The host it runs on now: a dropped host's slots move.
      outputMaker: () => `host ${remote.hostOf(spec.slot)}: worker ${spec.slot}`,
    };
  },
};
