import { resolveThreadModule } from '../workers/thread/module.js';
import { at, flag, type NameOf, OptionError, size } from './checks.js';
import type { FanSettings } from './fan-settings.js';

/** What `threads` and `threadHeap` decide: the kind of worker, and each thread's heap cap. */
export interface ThreadChoice {
  kind?: 'thread';
  threadHeap?: number;
}

/**
 * `threads`: the workers are threads running an SDK filter's module, which is found and
 * checked now, before anything runs; their output is tied to blocks by the block protocol,
 * so no other way of tying it applies. `threadHeap` caps each thread's heap.
 */
export function threadChoice(
  settings: FanSettings,
  command: { argv: string[]; shell: boolean },
  name: NameOf,
): ThreadChoice {
  const threads = flag(settings, 'threads', name);
  const heap = settings.threadHeap;
  if (!threads) {
    if (heap !== undefined) {
      throw new OptionError(
        'threadHeap',
        `${name('threadHeap')} caps each thread's heap: it needs ${name('threads')}`,
      );
    }
    return {};
  }
  for (const way of ['perBlock', 'oneToOne'] as const) {
    if (flag(settings, way, name)) {
      throw new OptionError(
        way,
        `${name('threads')} ties each block's output to it by itself: leave out ${name(way)}`,
      );
    }
  }
  at('threads', () => resolveThreadModule(command, name));
  return {
    kind: 'thread',
    ...(heap === undefined ? {} : { threadHeap: size(heap, 'threadHeap', name) }),
  };
}
