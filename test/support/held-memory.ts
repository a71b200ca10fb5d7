import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The memory a test's objects hold, weighed after full collections: what a structure keeps
// alive, not how fast it runs.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap in use and the memory of Buffers, after full collections. */
export function heldMemory(): number {
  for (let i = 0; i < 4; i++) gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}
