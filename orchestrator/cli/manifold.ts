#!/usr/bin/env node
import { prebootStarters } from '../workers/process/spawner.js';
import { prebootThreads } from '../workers/thread/preboot.js';
import { fanBootPlan } from './boot-plan.js';
import { defaultSigusr1 } from './signals.js';

// The `manifold` executable: what must happen before manifold's own modules load, then the
// command itself (main.ts).

defaultSigusr1();

// `fan --threads`: the threads boot on the other cores while the rest of manifold loads; a
// `fan` of processes: the process starters that give its workers their pipes start likewise.
const { threads, starters } = fanBootPlan(process.argv.slice(2));
if (threads > 0) prebootThreads(threads);
if (starters > 0) prebootStarters(starters);

// Node's loader opens every file of manifold's modules at once as it starts: under a very low
// `ulimit -n` (40: Node holds ~20 itself) they do not all fit, and Node's stack trace would be
// all the user saw, whatever the command. One line instead, exit 2, as for a -j the limit
// cannot hold (docs/fan.md).
try {
  await import('./main.js');
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EMFILE') throw error;
  process.stderr.write(
    'manifold: too many open files to start: the open-file limit (ulimit -n) is too low for Node to load manifold; raise it\n',
  );
  process.exit(2);
}
