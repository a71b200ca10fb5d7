/** A benchmark case: a shell command line, and which case of its group it is compared with. */
export interface Case {
  group: string;
  name: string;
  command: string;
  /** The name of the case in the same group this one is compared with, as a ratio. */
  baseline?: string;
  /**
   * The name of a case in the same group that measures only this one's start-up (empty input):
   * the table then also shows the throughput net of start-up, the rate at which data moves.
   */
  startup?: string;
  /** What the ratio must be for the target to hold, as text: "≤ 2.5", "≥ 600 MB/s". */
  target?: string;
  /** Checks the target against the measurement. */
  meets?: (result: { seconds: number; ratio?: number; netMBps?: number; MBps: number }) => boolean;
}

export interface Measured extends Case {
  seconds: number;
}

/** A markdown table: median seconds, throughput, ratio to the baseline, target and verdict. */
export function formatTable(measured: Measured[], bytes: number, judge = true): string {
  const rows = [
    '| group | case | median s | MB/s | MB/s net of start-up | ratio | target | met |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  const find = (group: string, name?: string) =>
    measured.find((m) => m.group === group && m.name === name);
  for (const item of measured) {
    const base = find(item.group, item.baseline);
    const startup = find(item.group, item.startup);
    const ratio = base ? item.seconds / base.seconds : undefined;
    const MBps = bytes / 1e6 / item.seconds;
    const netMBps = startup ? bytes / 1e6 / (item.seconds - startup.seconds) : undefined;
    let verdict = '';
    if (item.meets)
      verdict = !judge
        ? 'n/a'
        : item.meets({ seconds: item.seconds, ratio, netMBps, MBps })
          ? 'yes'
          : 'NO';
    const cells = [
      item.group,
      `${item.name}${base ? ` (vs ${base.name})` : ''}`,
      item.seconds.toFixed(3),
      MBps.toFixed(0),
      netMBps === undefined ? '' : netMBps.toFixed(0),
      ratio === undefined ? '' : ratio.toFixed(2),
      item.target ?? '',
      verdict,
    ];
    rows.push(`| ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}
