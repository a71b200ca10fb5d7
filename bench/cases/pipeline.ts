import type { Case } from '../report.js';
import type { Data } from './data.js';

/** A linear config of three cat stages against the same line in bash (issue 5, 7). */
export function pipelineCases({ root, big, bigBytes: bytes, threeCats }: Data): Case[] {
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  const group = 'pipeline';
  return [
    {
      group,
      name: 'bash: cat | cat | cat',
      command: `cat < ${big} | cat | cat > /dev/null`,
      bytes,
    },
    {
      group,
      name: 'manifold run: three cat stages',
      command: `${manifold} run ${threeCats} < ${big} > /dev/null`,
      baseline: 'bash: cat | cat | cat',
      bytes,
      target: 'ratio ≤ 1.05',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1.05,
    },
    {
      group,
      name: 'manifold run: its own share of the CPU',
      command: `/usr/bin/time -f '%U %S' -o "$PROBE.total" ${manifold} run --stats "$PROBE.stats" ${threeCats} < ${big} > /dev/null`,
      probe: 'cpu-share',
      target: '< 2%',
      meets: ({ probed }) => probed !== undefined && probed < 2,
    },
  ];
}
