#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { prebootThreads, threadsToBoot } from '../workers/thread/preboot.js';

// The `manifold` executable: what must happen before manifold's own modules load, then the
// command itself (main.ts).

// Blocks and the chunks they are cut from are Buffers that live for milliseconds: a small young
// generation frees them sooner, which holds manifold near 90 MB whatever the input's size, at no
// cost in speed (measured in bench/, the memory group). Threads made from here on have it too.
setFlagsFromString('--max-semi-space-size=1');

// `fan --threads`: the threads boot on the other cores while the rest of manifold loads.
const threads = threadsToBoot(process.argv.slice(2));
if (threads > 0) prebootThreads(threads);

await import('./main.js');
