import type { RawStage } from './raw.js';

/**
 * Keys of a stage that go with another kind of stage (`args` without `filter`, a fan's
 * `ok-status` beside its map rather than in it), each reported at the stage, naming the key.
 */
export function misplacedKeys(
  raw: RawStage,
  kind: 'run' | 'filter' | 'fan' | 'branches' | 'use',
  report: (message: string, key: string) => void,
): void {
  // A fan's own goes in its map, as manifold fan's --ok-status is the fan's.
  if (raw['ok-status'] !== undefined && kind === 'fan')
    report('"ok-status" of a fan goes in its fan: map (fan: {ok-status: "0,1", ...})', 'ok-status');
  for (const [key, only] of [
    ['ok-status', 'run'],
    ['args', 'filter'],
    ['combine', 'branches'],
    ['join', 'branches'],
    ['split', 'branches'],
  ] as const) {
    // A join is a command too: its ok-status stands beside it (#branches).
    if (key === 'ok-status' && (kind === 'fan' || kind === 'branches')) continue;
    if (raw[key] !== undefined && kind !== only) report(`"${key}" goes with "${only}"`, key);
  }
}
