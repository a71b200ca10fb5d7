import { commandFor } from '../workers/command.js';
import { resolveThreadModule } from '../workers/thread/module.js';
import { at, flag, type NameOf, OptionError, size } from './checks.js';
import type { FanSettings } from './fan-settings.js';

/**
 * The least `threadHeap` a thread is made with: measured on 2026-12-04 (Node 22), the SDK's
 * identity filter (mf-map r, mf-filter true) fails to start or to run one small block under 6 MiB
 * and runs at 6 MiB; 8 MiB leaves room over that. Below it every block would fail at run time.
 */
export const THREAD_HEAP_FLOOR = 8 * 2 ** 20;

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
  workers: number,
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
  // Each slot's thread loads its command with {%} filled, the module's path too (kind.ts): a
  // path with {%} in it is checked as each slot will load it, not as written, so that
  // `./f{%}.js` is taken when ./f1.js and ./f2.js are there, and refused when one is missing.
  const slots = command.argv.some((arg) => arg.includes('{%}')) ? workers : 1;
  for (let slot = 1; slot <= slots; slot++) {
    at('threads', () => resolveThreadModule(commandFor(command, { slot }), name));
  }
  return { kind: 'thread', ...(heap === undefined ? {} : { threadHeap: heapCap(heap, name) }) };
}

/** `threadHeap` in bytes, refused below the floor a thread can run a filter in. */
function heapCap(heap: number | string, name: NameOf): number {
  const bytes = size(heap, 'threadHeap', name);
  if (bytes < THREAD_HEAP_FLOOR) {
    throw new OptionError(
      'threadHeap',
      `${name('threadHeap')} ${heap} is below the 8M a thread needs to run a filter (see docs/fan.md, threads)`,
    );
  }
  return bytes;
}
