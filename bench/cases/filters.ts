import type { Case } from '../report.js';

/** Issue 2's filter section: the SDK's floor and mf-map against awk, on the same file. */
export function filterCases({ root, log }: { root: string; log: string; bytes: number }): Case[] {
  const identity = `node ${root}dist/bench/filters/identity.js`;
  const mfMap = `node ${root}dist/filters/bin/mf-map.js`;
  return [
    { group: 'filter', name: 'cat', command: `cat < ${log} > /dev/null` },
    {
      group: 'filter',
      name: 'SDK identity',
      command: `${identity} < ${log} > /dev/null`,
      target: '≥ 600 MB/s',
      meets: (seconds, _ratio, bytes) => bytes / 1e6 / seconds >= 600,
    },
    {
      group: 'filter',
      name: 'awk toupper',
      command: `awk '{print toupper($0)}' < ${log} > /dev/null`,
    },
    {
      group: 'filter',
      name: "mf-map 'r.toUpperCase()'",
      command: `${mfMap} 'r.toUpperCase()' < ${log} > /dev/null`,
      baseline: 'awk toupper',
      target: 'ratio ≤ 2.5',
      meets: (_seconds, ratio) => ratio !== undefined && ratio <= 2.5,
    },
  ];
}
