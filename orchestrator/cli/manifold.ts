import { prebootThreads } from '../workers/thread/preboot.js';
import { fanBootPlan } from './boot-plan.js';
import { defaultSigusr1 } from './signals.js';

// The start of the `manifold` executable: what must happen before manifold's own modules load,
// then the command itself (main.ts). The build bundles this and all it loads into one CommonJS
// file, which the executable (a few lines build.mjs writes) runs through V8's code cache, and
// says a want of descriptors as one line (start-limit.ts).

defaultSigusr1();

// `fan --threads`: the threads boot on the other cores while the rest of manifold loads (a fan
// of processes starts its process starters once its command line is checked: cli/fan.ts).
const { threads } = fanBootPlan(process.argv.slice(2));
if (threads > 0) prebootThreads(threads);

// Not awaited: the bundle is CommonJS, which has no top-level await. main.ts runs the command
// and exits with its status.
void import('./main.js');
