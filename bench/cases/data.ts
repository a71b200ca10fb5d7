import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRandom, writeAccessLog, writeWordLines } from '../data.js';

/** The files every section reads, made once per run in a temporary folder. */
export interface Data {
  root: string;
  folder: string;
  /** Access-log lines: ~100 MB (the filter section), and ~1 GiB (the fan sections). */
  small: string;
  smallBytes: number;
  big: string;
  bigBytes: number;
  bigRecords: number;
  /** Short lines of words, ~90 bytes each: ~1 GiB, and a ~200 MB head of it for sorting. */
  words: string;
  wordsBytes: number;
  wordsRecords: number;
  wordsHead: string;
  wordsHeadBytes: number;
  /** Lines `<cost> <word>` for CPU-bound workers: even cost, and cost that varies by block. */
  even: string;
  uneven: string;
  /** A pipeline config of three cat stages. */
  threeCats: string;
  quick: boolean;
}

export async function makeData(root: string, folder: string, quick: boolean): Promise<Data> {
  const small = join(folder, 'small.log');
  const big = join(folder, 'big.log');
  const smallBytes = quick ? 1e6 : 100e6;
  await writeAccessLog(small, smallBytes);
  await writeAccessLog(big, quick ? 4 * 2 ** 20 : 2 ** 30, 7);
  const words = join(folder, 'words.txt');
  const wordsHead = join(folder, 'words-head.txt');
  await writeWordLines(words, quick ? 4 * 2 ** 20 : 2 ** 30);
  await writeWordLines(wordsHead, quick ? 1e6 : 200e6, 5);
  const even = join(folder, 'even.txt');
  const uneven = join(folder, 'uneven.txt');
  const lines = quick ? 20_000 : 400_000;
  await writeFile(
    even,
    costLines(lines, () => 200),
  );
  // Lines are 16 bytes, so a 64 KiB block holds exactly 4096: every other block costs 15 times
  // the others. Round-robin gives every heavy block to the same worker; readiness spreads them.
  // A quarter as many lines: as much work in all as the even file.
  await writeFile(
    uneven,
    costLines(lines / 4, (i) => (Math.floor(i / 4096) % 2 === 0 ? 1500 : 100)),
  );
  const threeCats = join(folder, 'three-cats.yaml');
  await writeFile(threeCats, 'stages:\n  - run: [cat]\n  - run: [cat]\n  - run: [cat]\n');
  const bigBytes = (await stat(big)).size;
  const wordsBytes = (await stat(words)).size;
  return {
    root,
    folder,
    small,
    smallBytes: (await stat(small)).size,
    big,
    bigBytes,
    bigRecords: Math.round(bigBytes / 124.3),
    words,
    wordsBytes,
    // Lines of 80 to 100 bytes and their newline: 91 bytes on average.
    wordsRecords: Math.round(wordsBytes / 91),
    wordsHead,
    wordsHeadBytes: (await stat(wordsHead)).size,
    even,
    uneven,
    threeCats,
    quick,
  };
}

function costLines(count: number, cost: (i: number) => number): string {
  const random = createRandom(3);
  const out: string[] = [];
  for (let i = 0; i < count; i++)
    out.push(`${cost(i)} w${Math.floor(random() * 1e6)}`.padEnd(15, '.'));
  return `${out.join('\n')}\n`;
}
