import type { Case } from '../report.js';
import type { Data } from './data.js';

/**
 * The queue (issue 17) on loopback, against the local fan on the same data: two workers of
 * `cat` each way; and what a block lost with its worker costs (docs/queue.md). Each probe starts
 * its own nats-server. The `sleep 1000` of the lost worker is killed with it.
 */
export function queueCases(data: Data): Case[] {
  const { root, big, bigBytes: bytes } = data;
  const manifold = `${root}dist/bundle/bin/manifold.js`;
  const probe = `node ${root}dist/bench/probes/queue.js --input ${big} --manifold ${manifold}`;
  const group = 'queue';
  return [
    {
      group,
      name: 'local: fan -j 2 cat (merge ready)',
      command: `node ${manifold} fan -j 2 -- cat < ${big} > /dev/null`,
      bytes,
    },
    {
      group,
      name: 'queue: fan --queue, 2 workers of cat (merge ready)',
      command: `${probe} --mode throughput`,
      probe: 'value',
      unit: 'MB/s',
    },
    {
      group,
      name: 'queue: a block lost with its worker (ack wait 1 s)',
      command: `${probe} --mode redelivery`,
      probe: 'value',
      unit: 's longer',
    },
  ];
}
