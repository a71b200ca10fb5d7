/** A benchmark case: a shell command line timed (or probed), and what it is compared with. */
export interface Case {
  group: string;
  name: string;
  command: string;
  /** The name of the case in the same group this one is compared with, as a ratio of times. */
  baseline?: string;
  /** A case in the same group that measures only this one's start-up (empty input). */
  startup?: string;
  /** Bytes and records the command moves, for MB/s and records/s. */
  bytes?: number;
  records?: number;
  /**
   * What else to measure, by running the command once more: manifold's peak RSS (the command
   * writes it, via GNU time, to the file `$PROBE`), manifold's share of the CPU time, or any
   * number the command writes to `$PROBE` (a probe of bench/probes/), shown with `unit`.
   */
  probe?: 'rss' | 'cpu-share' | 'value';
  unit?: string;
  /** The target, as text ("≤ 2.5", "≥ 600 MB/s"), and its check. */
  target?: string;
  meets?: (result: Result) => boolean;
}

export interface Result {
  seconds: number;
  ratio?: number;
  MBps?: number;
  netMBps?: number;
  recordsPerSecond?: number;
  /** Peak RSS in MB, CPU share in percent, or the number a probe wrote, for probes. */
  probed?: number;
}

export interface Measured extends Case {
  seconds: number;
  probed?: number;
  /** What a `value` probe said besides its number. */
  note?: string;
}

/** Works out ratios and rates for every measured case. */
export function resultsOf(measured: Measured[]): Map<Measured, Result> {
  const find = (group: string, name?: string) =>
    measured.find((m) => m.group === group && m.name === name);
  const results = new Map<Measured, Result>();
  for (const item of measured) {
    const base = find(item.group, item.baseline);
    const startup = find(item.group, item.startup);
    results.set(item, {
      seconds: item.seconds,
      // Probes that measure a quantity of their own compare it, not their times.
      ratio: !base
        ? undefined
        : item.probe === 'value' && base.probe === 'value'
          ? item.probed! / base.probed!
          : item.seconds / base.seconds,
      MBps: item.bytes ? item.bytes / 1e6 / item.seconds : undefined,
      netMBps:
        item.bytes && startup ? item.bytes / 1e6 / (item.seconds - startup.seconds) : undefined,
      recordsPerSecond: item.records ? item.records / item.seconds : undefined,
      probed: item.probed,
    });
  }
  return results;
}

/** A markdown table: median seconds, rates, ratio to the baseline, probe, target and verdict. */
export function formatTable(measured: Measured[], judge = true): string {
  const rows = [
    '| group | case | median s | MB/s | MB/s net of start-up | ratio | other | target | met |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  const results = resultsOf(measured);
  for (const item of measured) {
    const r = results.get(item)!;
    let verdict = '';
    if (item.meets) verdict = !judge ? 'n/a' : item.meets(r) ? 'yes' : 'NO';
    const other =
      item.probe === 'rss'
        ? `${r.probed?.toFixed(0)} MB peak RSS`
        : item.probe === 'cpu-share'
          ? `${r.probed?.toFixed(2)}% CPU in manifold`
          : item.probe === 'value'
            ? `${r.probed} ${item.unit}${item.note ? `; ${item.note}` : ''}`
            : r.recordsPerSecond !== undefined
              ? `${(r.recordsPerSecond / 1e6).toFixed(2)} M records/s`
              : '';
    const cells = [
      item.group,
      // A | inside a cell would end it.
      `${item.name}${item.baseline ? ` (vs ${item.baseline})` : ''}`.replace(/\|/g, '\\|'),
      item.seconds.toFixed(3),
      r.MBps === undefined ? '' : r.MBps.toFixed(0),
      r.netMBps === undefined ? '' : r.netMBps.toFixed(0),
      r.ratio === undefined ? '' : r.ratio.toFixed(2),
      other,
      item.target ?? '',
      verdict,
    ];
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}
