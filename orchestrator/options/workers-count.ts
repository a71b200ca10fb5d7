import { availableParallelism } from 'node:os';

// A worker count as GNU parallel's -j takes it: a number, or relative to this machine's CPUs
// (`+N`, `-N`, `N%`). No imports but Node's: the executable reads -j before its modules load
// (cli/boot-plan.ts), and the options' checks read it again to name what is wrong.

/** A count relative to the CPUs: `+2`, `-1`, `50%`, `12.5%` (as parallel: rounded up). */
const RELATIVE = /^(?:([+-])(\d+)|(\d+(?:\.\d+)?)%)$/;

/** Whether `text` is a count relative to the CPUs, not a number of workers. */
export function isRelativeCount(text: unknown): boolean {
  return typeof text === 'string' && RELATIVE.test(text);
}

/**
 * The workers `value` asks for on a machine of `cpus` CPUs: a whole number as it is (0 too), a
 * relative count worked out and rounded up as parallel does; NaN for anything else.
 */
export function requestedWorkers(value: unknown, cpus = availableParallelism()): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  if (/^\d+$/.test(value)) return Number(value);
  const m = RELATIVE.exec(value);
  if (m === null) return Number.NaN;
  if (m[1] === '+') return cpus + Number(m[2]);
  if (m[1] === '-') return cpus - Number(m[2]);
  return Math.ceil((cpus * Number(m[3])) / 100);
}
