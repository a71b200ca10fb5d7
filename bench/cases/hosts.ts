import type { Case } from '../report.js';
import type { Data } from './data.js';

/**
 * Workers on two sshd hosts on this machine (bench/sshd-hosts.ts), one slot each, against the
 * same local fan (issue 16): no real network, so this measures manifold's protocol, not the
 * wire. `ssh` is the `--ssh` value that reaches hosts `h1` and `h2`.
 */
export function hostsCases(data: Data, ssh: string): Case[] {
  const { root, big, bigBytes: bytes, small } = data;
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  const hosts = `--ssh '${ssh}' --host h1/1 --host h2/1`;
  const probes = `node ${root}dist/bench/probes`;
  const group = 'hosts';
  return [
    {
      group,
      name: 'fan -j 2 cat, here',
      command: `${manifold} fan -j 2 -- cat < ${big} > /dev/null`,
      bytes,
    },
    {
      group,
      name: 'fan --host h1/1 --host h2/1 cat',
      command: `${manifold} fan ${hosts} -- cat < ${big} > /dev/null`,
      baseline: 'fan -j 2 cat, here',
      bytes,
      target: 'ratio ≤ 1.5',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1.5,
    },
    {
      group,
      // The floor under the case above: the same bytes through the same ssh, half to each host,
      // with no manifold at either end (head and tail cut the halves; lines cut do not matter).
      name: 'ssh h1 cat and ssh h2 cat, half each at once, no manifold',
      command: `half=$((${bytes} / 2)); head -c $half ${big} | ${ssh} h1 cat > /dev/null & one=$!; tail -c +$((half + 1)) ${big} | ${ssh} h2 cat > /dev/null & two=$!; wait $one && wait $two`,
      baseline: 'fan -j 2 cat, here',
      bytes,
    },
    {
      group,
      name: 'tiny blocks (1K, one-to-one), here',
      command: `${probes}/blocks.js --out "$PROBE" --input ${small} --stats "$PROBE.stats" -- '${manifold} fan -j 2 --block 1K --one-to-one --stats $STATS -- cat > /dev/null'`,
      probe: 'value',
      unit: 'blocks/s',
    },
    {
      group,
      name: 'tiny blocks (1K, one-to-one), two hosts',
      command: `${probes}/blocks.js --out "$PROBE" --input ${small} --stats "$PROBE.stats" -- '${manifold} fan ${hosts.replaceAll("'", '"')} --block 1K --one-to-one --stats $STATS -- cat > /dev/null'`,
      probe: 'value',
      unit: 'blocks/s',
    },
    {
      group,
      name: 'first output, two hosts, later than here (connections, sessions)',
      command: `${probes}/ready.js --out "$PROBE" --input ${small} --runs ${data.quick ? 1 : 3} --base '${manifold} fan -j 2 -- cat' -- '${manifold} fan ${hosts.replaceAll("'", '"')} -- cat'`,
      probe: 'value',
      unit: 'ms',
    },
  ];
}
