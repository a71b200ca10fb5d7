/** A benchmark case: a shell command line, and which case of its group it is compared with. */
export interface Case {
  group: string;
  name: string;
  command: string;
  /** The name of the case in the same group this one is compared with, as a ratio. */
  baseline?: string;
  /** What the ratio must be for the target to hold, as text: "≤ 2.5", "≥ 600 MB/s". */
  target?: string;
  /** Checks the target against the measured seconds (and the ratio, when there is a baseline). */
  meets?: (seconds: number, ratio: number | undefined, bytes: number) => boolean;
}

export interface Measured extends Case {
  seconds: number;
}

/** A markdown table: median seconds, throughput, ratio to the baseline, target and verdict. */
export function formatTable(measured: Measured[], bytes: number, judge = true): string {
  const rows = [
    '| group | case | median s | MB/s | ratio | target | met |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const item of measured) {
    const base = measured.find((m) => m.group === item.group && m.name === item.baseline);
    const ratio = base ? item.seconds / base.seconds : undefined;
    const verdict = !item.meets
      ? ''
      : !judge
        ? 'n/a'
        : item.meets(item.seconds, ratio, bytes)
          ? 'yes'
          : 'NO';
    rows.push(
      `| ${item.group} | ${item.name}${base ? ` (vs ${base.name})` : ''} | ${item.seconds.toFixed(3)} | ${(bytes / 1e6 / item.seconds).toFixed(0)} | ${ratio === undefined ? '' : ratio.toFixed(2)} | ${item.target ?? ''} | ${verdict} |`,
    );
  }
  return rows.join('\n');
}
