import { availableParallelism } from 'node:os';
import { requestedWorkers } from '../options/workers-count.js';

// What `manifold fan` starts ahead of its workers: threads while manifold's own modules load
// (manifold.ts), read from its arguments before they are parsed (a wrong guess costs only threads
// that wait unclaimed, and a usage error's exit waits for one still booting: tens of
// milliseconds); process starters once its command line is checked (cli/fan.ts).

/** The most threads booted ahead: more would only wait for the cores. */
const MAX_THREADS = 64;
/**
 * The most process starters started ahead: each is a Python process of ~10 MB that takes ~35 ms
 * of a core to start; slots past these start their workers as Node does (docs/fan.md).
 */
const MAX_STARTERS = 8;

/** Threads to boot ahead, one per worker of a `manifold fan --threads`. */
export interface BootPlan {
  threads: number;
}

/**
 * Threads to boot while manifold loads, one per worker of a `manifold fan --threads` (`-j N`,
 * `-jN`, `--workers N`, `--workers=N`; else one per CPU): a thread's boot is long enough that
 * loading manifold beside it pays. None where they could not be used: `--help`; `--host` and
 * `--queue` run no worker here; `--thread-heap` sets a limit a booted thread does not have.
 */
export function fanBootPlan(argv: readonly string[]): BootPlan {
  const none = { threads: 0 };
  if (argv[0] !== 'fan') return none;
  let threads = false;
  let heap = false;
  let workers = availableParallelism();
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    if (word === '--threads') threads = true;
    else if (word === '--help' || word === '-h') return none;
    else if (word === '--thread-heap' || word.startsWith('--thread-heap=')) heap = true;
    else if (word === '--host' || word.startsWith('--host=')) return none;
    else if (word === '--queue' || word.startsWith('--queue=')) return none;
    else if (word === '-j' || word === '--workers') workers = requestedWorkers(argv[++i]);
    else if (word.startsWith('--workers='))
      workers = requestedWorkers(word.slice('--workers='.length));
    else if (word.startsWith('-j') && word.length > 2) workers = requestedWorkers(word.slice(2));
  }
  if (!threads || heap || !Number.isInteger(workers) || workers < 1) return none;
  return { threads: Math.min(workers, MAX_THREADS) };
}

/**
 * Process starters (`workers/process/spawner.ts`) to start for a fan of `workers` processes on
 * this machine, whose workers then get real pipes: started once its command line has passed
 * every check, so that a usage error or a command not found starts none, and while the fan's
 * engine loads. Where no starter is tried (`MANIFOLD_STARTER=spawn`, not Linux) the launch
 * itself starts none (`noStarter`, workers/process/spawner-launch.ts).
 */
export function startersAhead(workers: number): number {
  return Math.min(workers, MAX_STARTERS);
}
