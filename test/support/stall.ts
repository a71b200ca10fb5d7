import { manifold } from '../helpers.js';
import {
  commandOf,
  descendants,
  holdsWithin,
  killQuietly,
  statOf,
  statusKiB,
  writingIntoFullPipe,
} from './proc.js';
import { finish, spawnShell } from './spawn.js';

// Bounded memory: a pipeline whose reader stops reading must make manifold stop reading too,
// so the process feeding it ends up blocked in a full pipe, with manifold's peak memory small.
// Shared by the fan's resource tests and the thread workers' (fan-resources, fan-threads-*).

/** manifold's peak memory past which a stall counts as unbounded, unless told otherwise. */
export const BOUND_KIB = 300 * 1024;

export interface Stall {
  /** Whether the feeding process stayed blocked in a full pipe for a while. */
  blocked: boolean;
  /** manifold's peak resident memory, KiB. */
  peakKiB: number;
  /** Whether manifold ended on its own (with a clear error, that is an answer too). */
  ended: boolean;
}

const LOOKS = 25;

/**
 * Runs the shell pipeline `line` and watches until the process whose command starts with
 * `feeder` stays blocked writing into a full pipe for LOOKS looks in a row (half a second),
 * or manifold's peak memory passes the bound, or manifold ends, or 20 s pass; then stops
 * everything: manifold first, so that it stops its workers.
 */
export async function watchStall(
  line: string,
  feeder: string,
  boundKiB = BOUND_KIB,
): Promise<Stall> {
  const shell = spawnShell(line, {}, true);
  const done = finish(shell, 60_000);
  const find = (start: string) =>
    descendants(shell.pid!).find((pid) => commandOf(pid).startsWith(start)) ?? null;
  let peakKiB = 0;
  let blockedLooks = 0;
  let manifoldPid: number | null = null;
  let ended = false;
  await holdsWithin(() => {
    manifoldPid ??= find(`${process.execPath} ${manifold}`);
    if (manifoldPid !== null) {
      const peak = statusKiB(manifoldPid, 'VmHWM');
      if (peak === null || statOf(manifoldPid)?.state === 'Z') ended = true;
      peakKiB = Math.max(peakKiB, peak ?? 0);
    }
    const writer = find(feeder);
    blockedLooks = writer !== null && writingIntoFullPipe(writer) ? blockedLooks + 1 : 0;
    return blockedLooks >= LOOKS || peakKiB > boundKiB || ended;
  }, 20_000);
  const all = descendants(shell.pid!);
  if (manifoldPid !== null) {
    killQuietly(manifoldPid, 'SIGTERM');
    await holdsWithin(() => statOf(manifoldPid!) === null, 5000);
  }
  for (const pid of all) killQuietly(pid);
  killQuietly(-shell.pid!);
  await done;
  return { blocked: blockedLooks >= LOOKS, peakKiB, ended };
}

/** The stall as a test compares it: the peak shown, and whether it stayed under the bound. */
export const summary = ({ blocked, peakKiB, ended }: Stall, boundKiB = BOUND_KIB) => ({
  blocked,
  bounded: peakKiB <= boundKiB || `peak ${Math.round(peakKiB / 1024)} MiB`,
  ended,
});
