import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import {
  TAKES_ENDED,
  TAKES_USAGE_ERRORS,
  TELLS_TAKEN,
  THREAD_MARK,
} from '../../../filters/transfer.js';
import { THREAD_DESCRIPTORS, workersAllowed } from '../limits.js';
import { startThread, threadLimits } from './jit.js';
import { LOADER } from './loader.js';

/**
 * Threads started before manifold's own modules load (`manifold fan --threads`): booting a
 * thread's Node takes ~55 ms of one core, and loading manifold ~100 ms of the other, so the two
 * overlap instead of following each other. A booted thread waits, blocked on a shared word,
 * until a thread worker claims it and says what it runs (the module, its arguments and
 * environment); then it loads the module exactly as a thread started then would.
 */

/** The key in a booted thread's `workerData` that carries its wake-up word and its port. */
const PREBOOT = 'manifoldPreboot';

/** What a claim tells a booted thread: what `new Worker` would have been given. */
export interface ThreadClaim {
  /** The filter module's file URL. */
  module: string;
  /** It is CommonJS for certain: required, not imported (module.ts). */
  commonjs: boolean;
  /** Its arguments (`process.argv` from index 2). */
  args: string[];
  /** Its whole environment. */
  env: Record<string, string>;
}

/**
 * The booted thread's code (CommonJS, `eval`): waits for its claim, takes it from its port, puts
 * the arguments and environment in place, then runs the loader every thread runs.
 */
const PREBOOT_LOADER = `
const { receiveMessageOnPort, workerData } = require('node:worker_threads');
const { word, port } = workerData[${JSON.stringify(PREBOOT)}];
Atomics.wait(word, 0, 0);
const claim = receiveMessageOnPort(port).message;
port.close();
delete workerData[${JSON.stringify(PREBOOT)}];
workerData.module = claim.module;
workerData.commonjs = claim.commonjs;
process.argv.splice(2, process.argv.length, ...claim.args);
for (const name of Object.keys(process.env)) if (!(name in claim.env)) delete process.env[name];
Object.assign(process.env, claim.env);
${LOADER}
`;

interface Booted {
  worker: Worker;
  word: Int32Array;
  port: MessagePort;
  /** It ended or failed before it was claimed: never handed out. */
  lost: boolean;
  /** Marks it lost: heard until it is claimed. */
  lose: () => void;
}

const booted: Booted[] = [];
let started = 0;

/**
 * Boots `count` threads for later claims. They do not keep the process alive while unclaimed,
 * and an exit ends them.
 */
export function prebootThreads(count: number): void {
  // No more than the open-file limit leaves room for: past it, a boot failed with Node's own
  // EMFILE before any check could refuse the run in its words (the thread kind's check).
  const room = workersAllowed(false, THREAD_DESCRIPTORS) ?? count;
  for (let i = 0; i < Math.min(count, room); i++) {
    const word = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = startThread(
      () =>
        new Worker(PREBOOT_LOADER, {
          eval: true,
          workerData: {
            [THREAD_MARK]: true,
            [TAKES_USAGE_ERRORS]: true,
            [TAKES_ENDED]: true,
            [TELLS_TAKEN]: true,
            [PREBOOT]: { word, port: port2 },
          },
          transferList: [port2],
          resourceLimits: threadLimits(),
          stdin: false,
          stdout: true,
          stderr: true,
        }),
    );
    worker.unref();
    const entry: Booted = {
      worker,
      word,
      port: port1,
      lost: false,
      lose: () => {
        entry.lost = true;
      },
    };
    worker.once('error', entry.lose);
    worker.once('exit', entry.lose);
    booted.push(entry);
    started++;
  }
}

/** How many booted threads wait for a claim: their descriptors are a claim's already. */
export function bootedWaiting(): number {
  return booted.filter((entry) => !entry.lost).length;
}

/** How many threads were booted ahead (for --verbose), claimed or not. */
export function prebootedCount(): number {
  return started;
}

/**
 * A booted thread, told to run `claim`; null when none is left (the caller starts one). The
 * thread is the caller's from here, as one it made: it keeps the process alive.
 */
export function claimThread(claim: ThreadClaim): Worker | null {
  let entry = booted.shift();
  while (entry?.lost) {
    entry.port.close();
    entry = booted.shift();
  }
  if (entry === undefined) return null;
  const { worker, word, port } = entry;
  // Only this module's listeners: startThread's (jit.ts) still wait for the thread to be online.
  worker.off('error', entry.lose);
  worker.off('exit', entry.lose);
  port.postMessage(claim);
  Atomics.store(word, 0, 1);
  Atomics.notify(word, 0);
  worker.once('exit', () => port.close());
  worker.ref();
  return worker;
}
