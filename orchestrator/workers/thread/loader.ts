import { fileURLToPath } from 'node:url';
import {
  HEAP_CAP,
  type HeapCap,
  SERVING,
  TAKES_ENDED,
  TAKES_USAGE_ERRORS,
  TELLS_TAKEN,
  THREAD_MARK,
} from '../../../filters/transfer.js';

/**
 * What a thread runs first (CommonJS, `eval`): it imports the filter's module, whose `.main()`
 * finds manifold's mark in `workerData` and serves blocks. A module whose thread has nothing more
 * to do without having been claimed is no SDK filter, and one that cannot be loaded says why: manifold hears
 * either, and stops the thread, rather than wait for output that will never come. First it
 * says its id in the system, where /proc has one: manifold ends its children with it
 * (children.ts). (A block, so
 * that a thread booted ahead can run it after code of its own: preboot.ts.)
 */
export const LOADER = `{
const { parentPort, workerData } = require('node:worker_threads');
try {
  const task = require('node:fs').readlinkSync('/proc/thread-self');
  parentPort.postMessage({ kind: 'task', id: Number(task.slice(task.lastIndexOf('/') + 1)) });
} catch {}
// A module that is CommonJS for certain is required: the thread then never loads Node's ES
// module loader (module.ts).
const loaded = workerData.commonjs
  ? new Promise((done) => done(require(require('node:url').fileURLToPath(workerData.module))))
  : import(workerData.module);
// .main() may come after the module has loaded (after an await or a .then of its own: a
// CommonJS file's import() of the SDK): the module is no filter if the thread's loop ends
// without it, as a process would end having written nothing.
loaded.then(
  () => {
    process.once('beforeExit', () => {
      if (globalThis[Symbol.for(${JSON.stringify(SERVING.description)})] === undefined)
        parentPort.postMessage({ kind: 'not-a-filter' });
    });
  },
  (error) => {
    // Its kind, its first line, and where: the first frame in a file (a throw at the top of a
    // module), or the file and line a CommonJS syntax error begins its stack with. An ES
    // module's syntax error has neither: Node keeps where for what it prints itself.
    const stack = String((error && error.stack) || '');
    const frame = /^\\s+at (?:.*\\()?((?:file:\\/\\/)?\\/[^\\s()]*:\\d+:\\d+)\\)?$/m.exec(stack);
    const opening = /^((?:file:\\/\\/)?\\/[^\\n]*:\\d+)\\n/.exec(stack);
    const kind = error instanceof Error && error.name !== 'Error' ? error.name + ': ' : '';
    parentPort.postMessage({
      kind: 'load-error',
      message: kind + String((error && error.message) || error).split('\\n')[0],
      where: (opening || frame || [])[1] || null,
      syntax: error instanceof SyntaxError,
    });
  },
);
}`;

/**
 * The thread's `workerData`: manifold's mark, the module to load (and whether to `require` it),
 * and its heap's cap if any.
 */
export function loaderData(
  moduleUrl: string,
  heap?: HeapCap,
  commonjs = false,
): Record<string, unknown> {
  return {
    [THREAD_MARK]: true,
    [TAKES_USAGE_ERRORS]: true,
    [TAKES_ENDED]: true,
    [TELLS_TAKEN]: true,
    module: moduleUrl,
    commonjs,
    ...(heap === undefined ? {} : { [HEAP_CAP]: heap }),
  };
}

/**
 * Why a thread's module could not be loaded, in one line: its error and where, or for an ES
 * module's syntax error, which Node tells no caller where, how to see it.
 */
export function loadErrorLine(
  file: string,
  error: { message: string; where: string | null; syntax: boolean },
): string {
  const where =
    error.where !== null
      ? ` (at ${pathOfPlace(error.where)})`
      : error.syntax
        ? ` (in it or a module it imports: node ${file} </dev/null says where)`
        : '';
  return `cannot load ${file}: ${error.message}${where}`;
}

/** `file:///a%20b.mjs:1:7` as `/a b.mjs:1:7`; a path as it is. */
function pathOfPlace(place: string): string {
  const match = /^(file:\/\/.*?)((?::\d+)+)$/.exec(place);
  if (match === null) return place;
  try {
    return fileURLToPath(match[1]!) + match[2]!;
  } catch {
    return place;
  }
}
