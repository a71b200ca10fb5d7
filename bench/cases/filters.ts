import type { Case } from '../report.js';
import type { Data } from './data.js';

/** The SDK's floor and mf-map against awk (issue 2), and mf-map on persistent fan workers. */
export function filterCases({ root, small, smallBytes }: Data): Case[] {
  const identity = `node ${root}dist/bench/filters/identity.js`;
  const mfMap = `node ${root}dist/bundle/bin/mf-map.js`;
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  const group = 'sdk';
  const bytes = smallBytes;
  return [
    { group, name: 'cat', command: `cat < ${small} > /dev/null`, bytes },
    { group, name: 'SDK start-up (empty input)', command: `${identity} < /dev/null` },
    {
      group,
      name: 'SDK identity',
      command: `${identity} < ${small} > /dev/null`,
      bytes,
      startup: 'SDK start-up (empty input)',
      target: '≥ 800 MB/s net',
      meets: ({ netMBps }) => netMBps !== undefined && netMBps >= 800,
    },
    {
      group,
      // The same filter declaring that it keeps no record: the SDK reads into the same memory.
      name: 'SDK identity, keepsRecords: false',
      command: `node ${root}dist/bench/filters/identity-transient.js < ${small} > /dev/null`,
      bytes,
      startup: 'SDK start-up (empty input)',
      target: '≥ 800 MB/s net',
      meets: ({ netMBps }) => netMBps !== undefined && netMBps >= 800,
    },
    {
      group,
      name: 'awk toupper',
      command: `awk '{print toupper($0)}' < ${small} > /dev/null`,
      bytes,
    },
    {
      group,
      name: 'hand-written Node loop, no SDK',
      command: `node ${root}dist/bench/filters/upper-loop.js < ${small} > /dev/null`,
      baseline: 'awk toupper',
      bytes,
    },
    {
      group,
      name: "mf-map 'r.toUpperCase()'",
      command: `${mfMap} 'r.toUpperCase()' < ${small} > /dev/null`,
      baseline: 'awk toupper',
      bytes,
      target: 'ratio ≤ 2.5',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 2.5,
    },
    {
      group,
      name: 'fan -j 2 --merge ordered --protocol manifold mf-map',
      command: `${manifold} fan -j 2 --merge ordered --protocol manifold -- ${mfMap} 'r.toUpperCase()' < ${small} > /dev/null`,
      baseline: "mf-map 'r.toUpperCase()'",
      bytes,
      target: 'ratio ≤ 0.556 (1.8× faster)',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1 / 1.8,
    },
    ...threadCases(manifold, bytes, small, mfMap),
  ];
}

/** mf-map as thread workers (issue 14): against one mf-map process, and ordered against ready. */
function threadCases(manifold: string, bytes: number, small: string, mfMap: string): Case[] {
  const group = 'sdk';
  const threads = (args: string) =>
    `${manifold} fan ${args} --threads -- mf-map 'r.toUpperCase()' < ${small} > /dev/null`;
  const ordered = 'fan -j 2 --threads --merge ordered mf-map';
  return [
    {
      group,
      name: ordered,
      command: threads('-j 2 --merge ordered'),
      baseline: "mf-map 'r.toUpperCase()'",
      bytes,
      target: 'ratio ≤ 0.588 (1.7× faster)',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1 / 1.7,
    },
    {
      group,
      name: 'fan -j 1 --threads mf-map',
      command: threads('-j 1'),
      baseline: "mf-map 'r.toUpperCase()'",
      bytes,
      target: 'ratio ≤ 1.1',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1.1,
    },
    {
      // Compared the other way round: ordered takes at most 1.05× the time of ready.
      group,
      name: 'fan -j 2 --threads mf-map (merge ready)',
      command: threads('-j 2'),
      baseline: ordered,
      bytes,
      target: 'ratio ≥ 0.952 (ordered ≤ 1.05× ready)',
      meets: ({ ratio }) => ratio !== undefined && ratio >= 1 / 1.05,
    },
    {
      group,
      name: 'fan -j 2 --threads --merge ordered mf-map, peak RSS',
      command: `/usr/bin/time -f %M -o "$PROBE" ${manifold} fan -j 2 --threads --merge ordered -- ${mfMap} 'r.toUpperCase()' < ${small} > /dev/null`,
      probe: 'rss',
      target: '≤ 150 MB',
      meets: ({ probed }) => probed !== undefined && probed <= 150,
    },
  ];
}
