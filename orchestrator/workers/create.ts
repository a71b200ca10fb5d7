import type { Framing } from '../../filters/index.js';
import { PerBlockWorker } from './attribution/per-block.js';
import { PersistentWorker } from './attribution/persistent.js';
import type { CommandSpec } from './command.js';
import { type InputHeader, noHeader } from './header.js';
import { workerKind } from './registry.js';
import type { WorkerKind, WorkerStderr } from './transport.js';
import type { Attribution, Worker, WorkerListener } from './types.js';

/** What the workers of a fan are: their kind, what they run, how their output is attributed. */
export interface WorkerSettings {
  /** A registered kind's name (`process`), or a kind given by code. @default 'process' */
  kind?: string | WorkerKind;
  workers: number;
  command: CommandSpec;
  /** --tag: each worker's diagnostics are prefixed with its number. */
  tag: boolean;
  attribution: Attribution;
  /** The framing of the workers' output, to count its records (one-to-one). */
  framing: Framing;
  /** Bytes waiting for a persistent worker past which it is not ready for another block. */
  maxBacklog: number;
  /** Where workers' stderr goes when not to manifold's (the library's). */
  stderr?: WorkerStderr;
  /** Exit statuses that are not failures (--ok-status). @default [0] */
  okStatus?: readonly number[];
  /** The input's header, filled in before the first block is sent (--header). */
  header?: InputHeader;
  /** The most heap an instance may take, in bytes, for kinds that can cap it (threads). */
  heapLimit?: number;
}

/**
 * The fan's workers, slots 1 to N: the attribution asked for, over the transport of the kind
 * asked for. Refuses first a fan the kind cannot run (the open-file limit, for processes).
 */
export function createWorkers(settings: WorkerSettings, listener: WorkerListener): Worker[] {
  const { workers, command, tag, attribution, framing, maxBacklog, stderr, heapLimit } = settings;
  const okStatus = settings.okStatus ?? [0];
  const header = settings.header ?? noHeader();
  const kind = workerKind(settings.kind);
  kind.check?.(workers, tag || stderr !== undefined);
  return Array.from({ length: workers }, (_, i) => {
    const slot = i + 1;
    const transport = kind.forSlot({
      slot,
      workers,
      command,
      tag,
      ...(stderr === undefined ? {} : { stderr }),
      ...(heapLimit === undefined ? {} : { heapLimit }),
    });
    if (attribution === 'per-block') {
      return new PerBlockWorker({ slot, transport, listener, okStatus, header });
    }
    return new PersistentWorker({
      ...{ slot, transport, attribution, framing, maxBacklog, listener },
      ...{ okStatus, header },
    });
  });
}
