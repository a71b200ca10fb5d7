// Numbers as manifold's options are written, and as GNU parallel's are: decimal digits, with a
// fraction or a unit only where an option documents one. JavaScript's Number() also takes a
// sign, blanks, an exponent (`1e3`), a radix (`0x10`, `0b1`) and empty text (as 0); an option
// that took them would run a typo. Every option's number is read here.

const AMOUNT = /^(\d+(?:\.\d+)?)([a-z]*)$/i;

/** A whole number: decimal digits as text (`8`, `08`), an integer as a number; else NaN. */
export function wholeNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number.NaN;
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * An amount and the unit written right after it: `1.5G` is 1.5 and `G`, `30` is 30 and ``; a
 * number as a number has no unit. Null for anything else, a negative number included.
 */
export function amountOf(value: unknown): { amount: number; unit: string } | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? { amount: value, unit: '' } : null;
  }
  const match = typeof value === 'string' ? AMOUNT.exec(value) : null;
  return match === null ? null : { amount: Number(match[1]), unit: match[2]! };
}

/**
 * A duration in milliseconds, `units` naming what each unit is worth and `''` (no unit) the
 * seconds GNU parallel counts in; NaN when it is no amount or its unit is not among them.
 */
export function durationMs(value: unknown, units: Readonly<Record<string, number>>): number {
  const parsed = amountOf(value);
  const unit = parsed === null ? undefined : units[parsed.unit];
  return parsed === null || unit === undefined ? Number.NaN : Math.round(parsed.amount * unit);
}
