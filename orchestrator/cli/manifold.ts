#!/usr/bin/env node
import { prebootStarters } from '../workers/process/spawner.js';
import { prebootThreads } from '../workers/thread/preboot.js';
import { fanBootPlan } from './boot-plan.js';

// The `manifold` executable: what must happen before manifold's own modules load, then the
// command itself (main.ts).

// `fan --threads`: the threads boot on the other cores while the rest of manifold loads; a
// `fan` of processes: the process starters that give its workers their pipes start likewise.
const { threads, starters } = fanBootPlan(process.argv.slice(2));
if (threads > 0) prebootThreads(threads);
if (starters > 0) prebootStarters(starters);

await import('./main.js');
