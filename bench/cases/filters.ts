import type { Case } from '../report.js';

/** Issue 2's filter section: the SDK's floor and mf-map against awk, on the same file. */
export function filterCases({ root, log }: { root: string; log: string; bytes: number }): Case[] {
  const identity = `node ${root}dist/bench/filters/identity.js`;
  const mfMap = `node ${root}dist/bundle/bin/mf-map.js`;
  return [
    { group: 'filter', name: 'cat', command: `cat < ${log} > /dev/null` },
    { group: 'filter', name: 'SDK start-up (empty input)', command: `${identity} < /dev/null` },
    {
      group: 'filter',
      name: 'SDK identity',
      command: `${identity} < ${log} > /dev/null`,
      startup: 'SDK start-up (empty input)',
      target: '≥ 600 MB/s net',
      meets: ({ netMBps }) => netMBps !== undefined && netMBps >= 600,
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
      meets: ({ ratio }) => ratio !== undefined && ratio <= 2.5,
    },
  ];
}
