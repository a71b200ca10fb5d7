import { describeError, parseFraming, parseKeySpec, parseSize } from '../../filters/index.js';

type Report = (key: string, message: string) => void;

/** Checks a fan's values one by one, so that every bad one is reported, each at its key. */
export function checkFanValues(raw: Record<string, unknown>, report: Report): void {
  const checks: [string, (value: string) => unknown][] = [
    ['split', (v) => parseFraming(v, 'split')],
    ['join', (v) => parseFraming(v, 'join')],
    ['block', (v) => parseSize(v, 'block')],
    ['max-record', (v) => parseSize(v, 'max-record')],
    ['merge-memory', (v) => parseSize(v, 'merge-memory')],
    ['key', (v) => parseKeySpec(v, raw['field-sep'] as string | undefined, 'key')],
  ];
  for (const [key, parse] of checks) {
    if (raw[key] === undefined) continue;
    try {
      parse(String(raw[key]));
    } catch (error) {
      report(key, describeError(error));
    }
  }
}

/** A config's fan, as the options `manifold fan` parses from its command line. */
export function toFanFlags(raw: Record<string, unknown>, shell: boolean): Record<string, unknown> {
  const attribution = raw.attribution as string | undefined;
  return {
    workers: raw.workers ?? 2,
    split: raw.split ?? 'lines',
    join: raw.join,
    block: raw.block ?? '1M',
    maxRecord: raw['max-record'] ?? '64M',
    mergeMemory: raw['merge-memory'] ?? '64M',
    dispatch: raw.dispatch ?? 'ready',
    key: raw.key ?? 'whole',
    fieldSep: raw['field-sep'],
    merge: raw.merge ?? 'ready',
    numeric: raw.numeric === true ? true : undefined,
    reverse: raw.reverse === true ? true : undefined,
    tag: raw.tag === true,
    shell,
    perBlock: attribution === 'per-block' ? true : undefined,
    oneToOne: attribution === 'one-to-one' ? true : undefined,
    protocol: attribution === 'protocol' ? 'manifold' : undefined,
    retries: raw.retries ?? 0,
    halt: raw.halt ?? 'now',
  };
}
