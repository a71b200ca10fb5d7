import type { Case } from '../report.js';
import type { Data } from './data.js';
import { fanTargetCases, pipepartTargetCases } from './targets.js';

const UPPER = `awk '{ print toupper($0) }'`;

/**
 * The second data set: short lines of words (~90 bytes), where each record's cost shows more
 * than in access-log lines. Anchors of the same run: plain pipes, awk, sort, GNU parallel; the
 * targets are issue 13's, as for the access-log lines (fan.ts).
 */
export function wordsCases(data: Data, hasParallel: boolean): Case[] {
  const { root, words, wordsBytes: bytes, wordsRecords: records, wordsHead, quick } = data;
  const manifold = `node ${root}dist/bundle/bin/manifold.js`;
  const group = 'words';
  const headBytes = data.wordsHeadBytes;
  const cases: Case[] = [
    ...fanTargetCases(group, root, manifold, words, bytes, 'fan -j 2 cat'),
    {
      group,
      name: 'fan -j 2 --dispatch hash --key field:1 cat',
      command: `${manifold} fan -j 2 --dispatch hash --key field:1 -- cat < ${words} > /dev/null`,
      baseline: 'fan -j 2 cat',
      bytes,
      records,
      target: '≥ 4 M records/s',
      meets: ({ recordsPerSecond }) => recordsPerSecond !== undefined && recordsPerSecond >= 4e6,
    },
    { group, name: 'awk toupper', command: `${UPPER} < ${words} > /dev/null`, bytes },
    {
      group,
      name: 'fan -j 2 awk toupper',
      command: `${manifold} fan -j 2 -- ${UPPER} < ${words} > /dev/null`,
      baseline: 'awk toupper',
      bytes,
    },
    {
      group,
      name: `sort, ${quick ? 'small' : '200 MB'}`,
      command: `LC_ALL=C sort < ${wordsHead} > /dev/null`,
      bytes: headBytes,
    },
    {
      group,
      name: `fan -j 2 --merge sorted sort, ${quick ? 'small' : '200 MB'}`,
      command: `LC_ALL=C ${manifold} fan -j 2 --merge sorted -- sort < ${wordsHead} > /dev/null`,
      baseline: `sort, ${quick ? 'small' : '200 MB'}`,
      bytes: headBytes,
      target: 'ratio ≤ 1',
      meets: ({ ratio }) => ratio !== undefined && ratio <= 1,
    },
    {
      group,
      // The same processes with nothing of manifold's: the file's two halves (cut at a line
      // end, as split -n l/K/N reads its range) each sorted through a pipe, merged by the same
      // sort -m, and the merged output passed on by one more process, as manifold reads it.
      // Not a floor: the fan's workers are fed by sendfile, where split copies through a pipe.
      name: `the same sorts and sort -m in bash, no manifold, ${quick ? 'small' : '200 MB'}`,
      command:
        `LC_ALL=C stdbuf -o 1M sort -m -s <(split -n l/1/2 ${wordsHead} | sort) ` +
        `<(split -n l/2/2 ${wordsHead} | sort) | cat > /dev/null`,
      baseline: `sort, ${quick ? 'small' : '200 MB'}`,
      bytes: headBytes,
    },
    {
      group,
      name: `fan -j 2 --per-block --merge sorted sort (manifold's own merge), ${quick ? 'small' : '200 MB'}`,
      command: `LC_ALL=C ${manifold} fan -j 2 --per-block --merge sorted -- sort < ${wordsHead} > /dev/null`,
      baseline: `sort, ${quick ? 'small' : '200 MB'}`,
      bytes: headBytes,
    },
  ];
  if (hasParallel) {
    const p = 'parallel --will-cite';
    cases.push(...pipepartTargetCases(group, words, bytes, 'fan -j 2 cat'), {
      group,
      name: 'parallel --pipe -k --block 10M',
      command: `${p} --pipe -k --block 10M -j2 cat < ${words} > /dev/null`,
      baseline: 'fan -j 2 --merge ordered --one-to-one cat',
      bytes,
    });
  }
  return cases;
}
