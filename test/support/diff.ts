import { createHash } from 'node:crypto';

// Differences small enough to read in a failed `toEqual`, for outputs of thousands of records.

/** A few words on a list: how many, the first and last in byte order, cut short. */
function summary(items: string[]): string[] {
  if (items.length === 0) return [];
  const sorted = [...items].sort();
  const short = (item: string) => JSON.stringify(item.slice(0, 40));
  return [`${items.length}, from ${short(sorted[0]!)} to ${short(sorted.at(-1)!)}`];
}

/** How two lists differ as multisets: what is missing, what is extra or doubled. */
export function differences(
  actual: string[],
  expected: string[],
): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const item of expected) counts.set(item, (counts.get(item) ?? 0) + 1);
  const extra: string[] = [];
  for (const item of actual) {
    const left = counts.get(item) ?? 0;
    if (left === 0) extra.push(item);
    else counts.set(item, left - 1);
  }
  const missing = [...counts].flatMap(([item, n]) => Array<string>(n).fill(item));
  return { missing: summary(missing), extra: summary(extra) };
}

/** What `differences` gives for two lists with the same items. */
export const SAME = { missing: [], extra: [] };

/** Where two byte strings first differ, with their lengths: equal means {-1, n, n}. */
export function byteDiff(actual: Buffer, expected: Buffer) {
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  const firstDiff = at === actual.length && at === expected.length ? -1 : at;
  return { firstDiff, length: actual.length, expectedLength: expected.length };
}

/** What `byteDiff` gives for `expected` against itself. */
export const sameBytes = (expected: Buffer) => ({
  firstDiff: -1,
  length: expected.length,
  expectedLength: expected.length,
});

/** A digest to compare outputs too large to show. */
export const sha256 = (data: string | Uint8Array) =>
  createHash('sha256').update(data).digest('hex');
