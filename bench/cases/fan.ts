import type { Case } from '../report.js';
import type { Data } from './data.js';
import { fanTargetCases, pipepartTargetCases } from './targets.js';

const AWK_WORK = `awk '{ s = 0; for (i = 0; i < $1; i++) s += i * i; print $2, s }'`;

/** Fan-out and fan-in against cat | cat and GNU parallel, on the same 1 GiB (targets: issue 13). */
export function fanCases(data: Data, hasParallel: boolean): Case[] {
  const { root, big, bigBytes: bytes, bigRecords: records } = data;
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  const group = 'fan';
  const cases: Case[] = [
    ...fanTargetCases(group, root, manifold, big, bytes, 'fan -j 2 cat (merge ready)'),
    // The paths where the file is read as a stream and manifold reads the output (records
    // counted, or tagged): no target of their own, but a regression shows here first.
    ...streamPaths(group, manifold, big).map((item) => ({
      ...item,
      bytes,
      baseline: 'fan -j 2 cat (merge ready)',
    })),
    // The library's fan given a caller's stream of line objects (Readable.from), against the
    // same stream read alone; in milliseconds, the lines read into memory before either.
    {
      group,
      name: 'library: a Readable.from of the small log lines, read alone',
      command: `node ${root}dist/bench/probes/api-stream.js --out "$PROBE" --input ${data.small} --mode read`,
      probe: 'value',
      unit: 'ms',
    },
    {
      group,
      name: 'library: fan -j 2 cat over the same Readable.from',
      command: `node ${root}dist/bench/probes/api-stream.js --out "$PROBE" --input ${data.small} --mode fan`,
      probe: 'value',
      unit: 'ms',
      baseline: 'library: a Readable.from of the small log lines, read alone',
    },
    {
      group,
      name: 'library: run of one cat stage over the same Readable.from',
      command: `node ${root}dist/bench/probes/api-stream.js --out "$PROBE" --input ${data.small} --mode run`,
      probe: 'value',
      unit: 'ms',
      baseline: 'library: a Readable.from of the small log lines, read alone',
    },
    {
      group: 'hash',
      name: 'fan -j 2 --dispatch hash --key field:1 cat',
      command: `${manifold} fan -j 2 --dispatch hash --key field:1 -- cat < ${big} > /dev/null`,
      bytes,
      records,
      target: '≥ 4 M records/s',
      meets: ({ recordsPerSecond }) => recordsPerSecond !== undefined && recordsPerSecond >= 4e6,
    },
    {
      group: 'cpu',
      name: 'fan -j 1 awk (even cost)',
      command: `${manifold} fan -j 1 --block 64K -- ${AWK_WORK} < ${data.even} > /dev/null`,
    },
    {
      group: 'cpu',
      name: 'fan -j 2 awk (even cost)',
      command: `${manifold} fan -j 2 --block 64K -- ${AWK_WORK} < ${data.even} > /dev/null`,
      baseline: 'fan -j 1 awk (even cost)',
      target: 'ratio ≤ 0.526 (speed-up ≥ 1.9)',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1 / 1.9,
    },
    {
      group: 'cpu',
      name: 'fan -j 2 --dispatch round-robin awk (uneven cost)',
      command: `${manifold} fan -j 2 --block 64K --one-to-one --dispatch round-robin -- ${AWK_WORK} < ${data.uneven} > /dev/null`,
    },
    {
      group: 'cpu',
      name: 'fan -j 2 --dispatch ready awk (uneven cost)',
      command: `${manifold} fan -j 2 --block 64K --one-to-one --dispatch ready -- ${AWK_WORK} < ${data.uneven} > /dev/null`,
      baseline: 'fan -j 2 --dispatch round-robin awk (uneven cost)',
      target: 'ratio ≤ 0.87 (15% faster)',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1 / 1.15,
    },
    {
      group: 'memory',
      name: 'fan -j 2 cat, the big input once',
      command: `/usr/bin/time -f %M -o "$PROBE" ${manifold} fan -j 2 -- cat < ${big} > /dev/null`,
      probe: 'rss',
      target: '≤ 100 MB',
      meets: ({ probed }) => probed !== undefined && probed <= 100,
    },
    {
      group: 'memory',
      name: 'fan -j 2 cat, the big input 4 times',
      command: `cat ${big} ${big} ${big} ${big} | /usr/bin/time -f %M -o "$PROBE" ${manifold} fan -j 2 -- cat > /dev/null`,
      probe: 'rss',
      target: '≤ 100 MB',
      meets: ({ probed }) => probed !== undefined && probed <= 100,
    },
    ...streamPaths('memory', manifold, big).map(({ name, command }) => ({
      group: 'memory',
      name: `${name}, the big input once`,
      command: `/usr/bin/time -f %M -o "$PROBE" ${command}`,
      probe: 'rss' as const,
      target: '≤ 100 MB',
      meets: ({ probed }: { probed?: number }) => probed !== undefined && probed <= 100,
    })),
    {
      group: 'startup',
      name: 'fan -j 2 -- cat < /dev/null',
      command: `${manifold} fan -j 2 -- cat < /dev/null`,
      target: '≤ 0.150 s',
      meets: ({ seconds }) => seconds <= 0.15,
    },
  ];
  if (hasParallel) cases.push(...parallelCases(data));
  return cases;
}

/** `fan -j 2 cat` with --stats and with --tag: the input read as a stream, the output by manifold. */
function streamPaths(group: string, manifold: string, file: string): Case[] {
  return [
    {
      group,
      name: 'fan -j 2 --stats cat',
      command: `${manifold} fan -j 2 --stats /dev/null -- cat < ${file} > /dev/null`,
    },
    {
      group,
      name: 'fan -j 2 --tag cat',
      command: `${manifold} fan -j 2 --tag -- cat < ${file} > /dev/null`,
    },
  ];
}

/** GNU parallel on the same data, each of its ways to farm a pipe. */
function parallelCases({ big, bigBytes: bytes, bigRecords: records, quick }: Data): Case[] {
  const p = 'parallel --will-cite';
  const blocks = quick ? ['1M'] : ['1M', '10M', '100M'];
  const cases: Case[] = blocks.map((block) => ({
    group: 'fan',
    name: `parallel --pipe --block ${block}`,
    command: `${p} --pipe --block ${block} -j2 cat < ${big} > /dev/null`,
    baseline: 'fan -j 2 cat (merge ready)',
    bytes,
    target: 'ratio ≥ 4 (at its best block)',
  }));
  cases.push(
    ...pipepartTargetCases('fan', big, bytes, 'fan -j 2 cat (merge ready)'),
    {
      group: 'fan',
      name: 'parallel --pipe --round-robin',
      command: `${p} --pipe --round-robin --block 10M -j2 cat < ${big} > /dev/null`,
      baseline: 'fan -j 2 cat (merge ready)',
      bytes,
    },
    {
      group: 'fan',
      name: 'parallel --pipe -k',
      command: `${p} --pipe -k --block 10M -j2 cat < ${big} > /dev/null`,
      baseline: 'fan -j 2 --merge ordered --one-to-one cat',
      bytes,
    },
    {
      group: 'hash',
      name: 'parallel --pipe --shard 1',
      command: `${p} --pipe --shard 1 --colsep ' ' -j2 cat < ${big} > /dev/null`,
      baseline: 'fan -j 2 --dispatch hash --key field:1 cat',
      bytes,
      records,
      target: 'ratio ≥ 10',
      meets: ({ ratio }) => ratio !== undefined && ratio >= 10,
    },
  );
  return cases;
}
