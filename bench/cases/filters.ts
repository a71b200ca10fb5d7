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
      target: '≥ 600 MB/s net',
      meets: ({ netMBps }) => netMBps !== undefined && netMBps >= 600,
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
  ];
}
