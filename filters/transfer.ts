/**
 * The messages between manifold and a filter's thread (`manifold fan --threads`). Bytes move
 * as ArrayBuffers in the transfer list, which change owner without a copy but move whole: a
 * Buffer that is a view into a larger ArrayBuffer (a slice of a read, or one of Node's pooled
 * small Buffers) would take its neighbours along and leave every other view of them empty. So
 * what crosses is copied first into memory of its own, and never touched again by the sender.
 */

/**
 * The version of the protocol a filter speaks in a thread, said in its greeting. 3: output
 * comes back as runs of messages in the memory the thread sends (`runs`); 1 and 2 (a process's
 * versions, which the threads of older SDKs say) send each buffer's first `lengths[i]` bytes,
 * and are understood. A manifold that speaks 2 refuses 3 in one line, where it would
 * have read a 3's runs as whole buffers.
 */
export const THREAD_PROTOCOL = 3;
/** The versions of a thread's greeting this package's manifold understands. */
export const THREAD_UNDERSTOOD: readonly number[] = [1, 2, 3];

/** Which side a message is for, and what it carries. Blocks in, output out. */
export type ToThread =
  /** `length` bytes at the start of `buffer`, which may be larger (a buffer used again). */
  | { kind: 'bytes'; buffer: ArrayBuffer; length: number }
  | { kind: 'end' }
  /**
   * Manifold has taken `bytes` more of the thread's output (the runs of its `output` messages,
   * headers included): sent only to a thread whose greeting said `waitsForTaken`.
   */
  | { kind: 'taken'; bytes: number };

export type FromThread =
  /**
   * Output bytes, in order; `finished` counts the messages of input the thread has done with
   * (cumulative), so the sender knows how much of what it gave is still waiting; `returned`
   * gives back buffers of input the thread holds nothing of, to be filled again.
   */
  | {
      kind: 'output';
      /** The memory the output is in, each buffer once. */
      buffers: ArrayBuffer[];
      /**
       * The output, in order, as triples: a buffer's index in `buffers`, where its run of whole
       * messages starts and where it stops (a buffer may hold several runs, and room between).
       * Filters of protocol 1 and 2 send `lengths` instead: each buffer's first `lengths[i]`
       * bytes, in order.
       */
      runs?: number[];
      lengths?: number[];
      finished: number;
      returned: ArrayBuffer[];
    }
  /**
   * The filter's first message: the versions of the protocol and of its SDK, as a process's
   * greeting says them (filters/protocol.ts). An SDK that sends none speaks version 1.
   */
  | {
      kind: 'greeting';
      protocol: number;
      sdk: string;
      /**
       * The thread sends no more output while `OUTPUT_WINDOW` bytes of it are not yet taken, and
       * waits for `taken` messages: said only when manifold's `workerData` says `TELLS_TAKEN`.
       */
      waitsForTaken?: boolean;
      /** The filter has a flush, as a process's greeting says (filters/protocol.ts). */
      flush?: boolean;
    }
  /**
   * The thread's id in the system (Linux's tid), sent by manifold's loader before the module
   * loads: the processes the filter starts are children of it, ended with the thread.
   */
  | { kind: 'task'; id: number }
  /** The module was loaded and did not call a filter's `.main()` or `.run()`. */
  | { kind: 'not-a-filter' }
  /** The module could not be loaded: its error's message. */
  | { kind: 'load-error'; message: string; where: string | null; syntax: boolean }
  /**
   * The filter's usage error, the line a process would write to stderr: every thread of a fan
   * is given the same command, so manifold shows each distinct one once.
   */
  | { kind: 'usage-error'; line: string }
  /**
   * The filter has ended with `status` while processes it started still run: the thread stays,
   * idle, until they have ended, as only it can wait for them (sdk/thread-children.ts), and
   * manifold takes this as the thread's end. Sent only to a manifold that says it takes it
   * (`TAKES_ENDED`); another waits for the thread's exit.
   */
  | { kind: 'ended'; status: number };

/**
 * The key in a thread's `workerData` that says it serves manifold's blocks: an SDK filter's
 * `.main()` or `.run()` then reads blocks from the parent port instead of stdin.
 */
export const THREAD_MARK = 'manifoldThread';

/**
 * The key in a thread's `workerData` that says manifold takes the filter's usage error as a
 * message (`usage-error`): an older manifold, which does not set it, hears it on stderr.
 */
export const TAKES_USAGE_ERRORS = 'takesUsageErrors';

/**
 * The key in a thread's `workerData` that says manifold takes a filter's end as a message
 * (`ended`) from a thread that stays for its children: an older manifold, which does not set
 * it, would wait for them.
 */
export const TAKES_ENDED = 'takesEnded';

/**
 * The key in a thread's `workerData` that says manifold tells the thread what of its output it
 * has taken (`taken`), as a pipe's reader frees room in the pipe: the thread then holds at most
 * `OUTPUT_WINDOW` bytes of output on the way, and a reader that stalls stops it, as it stops a
 * process. An older manifold, which does not set it, is sent output without waiting.
 */
export const TELLS_TAKEN = 'tellsTaken';

/** The most output bytes a thread has sent that manifold has not taken, before it waits. */
export const OUTPUT_WINDOW = 2 * 1024 * 1024;

/**
 * The key in a thread's `workerData` that says its heap is capped: `{ bytes, option }`, the cap
 * V8 was given and the option that set it as the fan names it (`--thread-heap`, `thread-heap`).
 */
export const HEAP_CAP = 'heapCap';

/** A thread's heap cap, as `workerData[HEAP_CAP]` carries it. */
export interface HeapCap {
  bytes: number;
  option: string;
}

/** Set on `globalThis` by a filter that serves a thread: the loader can tell a filter loaded. */
export const SERVING = Symbol.for('manifold.thread.serving');

/** The bytes of an `output` message's runs (triples: a buffer, a start, a stop), headers too. */
export function runBytes(runs: readonly number[]): number {
  let bytes = 0;
  for (let i = 0; i < runs.length; i += 3) bytes += runs[i + 2]! - runs[i + 1]!;
  return bytes;
}
