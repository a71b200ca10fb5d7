import type { Framing } from '../../filters/index.js';
import type { NameOf } from '../options/fan.js';
import { PerBlockWorker } from './attribution/per-block.js';
import { PersistentWorker } from './attribution/persistent.js';
import { type BlockFileMode, blockFileSlot } from './block-file.js';
import type { CommandSpec } from './command.js';
import { type InputHeader, noHeader } from './header.js';
import { workerKind } from './registry.js';
import type { RelaySpec } from './relay.js';
import type { RemoteSlots, WorkerKind, WorkerStderr } from './transport.js';
import type { AttributedKind, Attribution, Worker, WorkerListener } from './types.js';

/** What the workers of a fan are: their kind, what they run, how their output is attributed. */
export interface WorkerSettings {
  /** A registered kind's name (`process`), or a kind given by code. @default 'process' */
  kind?: string | WorkerKind | AttributedKind;
  workers: number;
  command: CommandSpec;
  /** --tag: each worker's diagnostics are prefixed with its tag (its number unless `tagString`). */
  tag: boolean;
  /** --tagstring: the tag, its `{%}` and `{#}` replaced per worker and block. @default '{%}' */
  tagString?: string;
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
  /** Where slots that run on other machines are placed (the ssh kind's hosts). */
  remote?: RemoteSlots;
  /** How the workers' messages name options: manifold fan's flags unless said (a config's keys). */
  optionName?: NameOf;
  /**
   * --cat, --fifo: each per-block instance gets its block as a file or a named pipe, named for
   * `{}` in the command.
   */
  blockFile?: BlockFileMode;
  /** The folder of the block files (--tmpdir). @default $TMPDIR, or /tmp */
  tmpdir?: string;
}

/**
 * The fan's workers, slots 1 to N: the attribution asked for, over the transport of the kind
 * asked for. Refuses first a fan the kind cannot run (the open-file limit, for processes).
 */
export function createWorkers(settings: WorkerSettings, listener: WorkerListener): Worker[] {
  return openWorkers(settings, listener, undefined).workers;
}

/**
 * As `createWorkers`, for workers whose output goes straight into a descriptor each (`outputs`,
 * by slot from 1: kernel pipes that another process reads), when their kind can do that
 * (`TransportFactory.openWithOutput`) and their output needs no attribution; `direct` says
 * whether it was so. Otherwise the workers are as `createWorkers` makes them.
 */
export function createWorkersInto(
  settings: WorkerSettings,
  listener: WorkerListener,
  outputs: readonly number[],
  held: number,
): { workers: Worker[]; direct: boolean } {
  return openWorkers(settings, listener, outputs, undefined, held);
}

/**
 * As `createWorkers`, for workers that stay and need no attribution whose output their kind's
 * helper writes to manifold's stdout itself, whole records cut as `relay` says
 * (`TransportFactory.openRelayed`), when their kind can do that for every slot now
 * (`WorkerKind.relaysOutput`); `relayed` says whether it was so.
 */
export function createWorkersRelayed(
  settings: WorkerSettings,
  listener: WorkerListener,
  relay: RelaySpec,
): { workers: Worker[]; relayed: boolean } {
  const made = openWorkers(settings, listener, undefined, relay);
  return { workers: made.workers, relayed: made.relayed };
}

function openWorkers(
  settings: WorkerSettings,
  listener: WorkerListener,
  outputs: readonly number[] | undefined,
  relay?: RelaySpec,
  held = 0,
): { workers: Worker[]; direct: boolean; relayed: boolean } {
  const { workers, command, tag, attribution, framing, maxBacklog, stderr, heapLimit, remote } =
    settings;
  const named = settings.optionName === undefined ? {} : { optionName: settings.optionName };
  const okStatus = settings.okStatus ?? [0];
  const header = settings.header ?? noHeader();
  const kind = workerKind(settings.kind);
  const greets =
    attribution === 'protocol' && !('loadsFilters' in kind && kind.loadsFilters === true);
  kind.check?.(workers, tag || stderr !== undefined || greets, held);
  if ('openWorker' in kind) {
    const own = Array.from({ length: workers }, (_, i) => kind.openWorker(i + 1, listener, header));
    return { workers: own, direct: false, relayed: false };
  }
  const usageErrors = new Set<string>();
  // Every slot's transport first, none opened yet: the choice of where output goes is the same
  // for all of them.
  const factories = Array.from({ length: workers }, (_, i) => {
    const spec = {
      slot: i + 1,
      workers,
      command,
      tag,
      okStatus,
      ...(settings.tagString === undefined ? {} : { tagString: settings.tagString }),
      usageErrors,
      ...(greets ? { greets } : {}),
      ...(stderr === undefined ? {} : { stderr }),
      ...(heapLimit === undefined ? {} : { heapLimit }),
      ...(remote === undefined ? {} : { remote }),
      ...named,
    };
    const factory = kind.forSlot(spec);
    return settings.blockFile === undefined
      ? factory
      : blockFileSlot(factory, spec, settings.blockFile, settings.tmpdir);
  });
  const direct =
    outputs !== undefined &&
    attribution === 'none' &&
    factories.every((factory) => factory.openWithOutput !== undefined);
  const relayed =
    relay !== undefined &&
    (attribution === 'none' || (attribution === 'per-block' && relay.ordered !== undefined)) &&
    kind.relaysOutput?.() === true &&
    factories.every((factory) => factory.openRelayed !== undefined);
  return {
    direct,
    relayed,
    workers: factories.map((transport, i) => {
      const slot = i + 1;
      if (attribution === 'per-block') {
        return new PerBlockWorker({
          ...{ slot, transport, listener, okStatus, header },
          ...(relayed ? { relay } : {}),
        });
      }
      return new PersistentWorker({
        ...{ slot, transport, attribution, framing, maxBacklog, listener },
        ...{ okStatus, header, greets, ...named },
        ...(direct ? { output: outputs[i]! } : {}),
        ...(relayed ? { relay } : {}),
      });
    }),
  };
}
