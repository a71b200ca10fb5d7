#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { probeArgs } from './args.js';

/**
 * Runs a shell command and samples, every 50 ms while it runs, the private memory of the
 * processes below it (all of them, or those whose program or script names `--match`): the sum
 * of Private_Clean, Private_Dirty and Private_Hugetlb from /proc/PID/smaps_rollup. Pages of a
 * file that several processes map (a table's LMDB file) count as shared, not private, which
 * is the point: the peak of the sum is the memory that running N workers costs.
 * Writes the peak sum in MB to `--out`, then a line with what it was made of (Private_Dirty:
 * the processes' own memory; Private_Clean: pages of files that only one of them maps, such as
 * table pages one worker alone has read), a line with the peak of the sum of their RSS (which
 * counts each shared page once per process that maps it), and exits with the command's status.
 * Usage: node memory.js --out FILE [--match TEXT] -- 'command line'
 */
const args = probeArgs();
const out = args.required('--out');
const match = args.option('--match');
const line = args.command.join(' ');

const parents = (): Map<number, number[]> => {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // Gone since the listing.
    }
  }
  return children;
};

function descendants(root: number): number[] {
  const children = parents();
  const found = [root];
  for (let i = 0; i < found.length; i++) found.push(...(children.get(found[i]!) ?? []));
  return found;
}

interface Memory {
  private: number;
  dirty: number;
  rss: number;
}
const NONE: Memory = { private: 0, dirty: 0, rss: 0 };

/** Private, private dirty and resident memory of a process, in KiB; zeros when gone or not matched. */
function memoryKiB(pid: number): Memory {
  try {
    if (match !== undefined) {
      // The program or its script (`node .../mf-join.js`), not its arguments: manifold's own
      // command line names its workers' command too.
      const [program, script] = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (!`${program} ${script}`.includes(match)) return NONE;
    }
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    let sum = 0;
    for (const found of rollup.matchAll(/^Private_\w+:\s+(\d+) kB$/gm)) sum += Number(found[1]);
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(rollup)?.[1] ?? 0);
    return { private: sum, dirty: field('Private_Dirty'), rss: field('Rss') };
  } catch {
    return NONE; // gone, or not ours to read
  }
}

const child = spawn('bash', ['-o', 'pipefail', '-c', line], { stdio: 'inherit' });
let peak = 0;
let peakDirty = 0;
let peakRss = 0;
const sample = () => {
  let sum = 0;
  let dirty = 0;
  let rss = 0;
  for (const pid of descendants(child.pid!)) {
    const memory = memoryKiB(pid);
    sum += memory.private;
    dirty += memory.dirty;
    rss += memory.rss;
  }
  if (sum > peak) {
    peak = sum;
    peakDirty = dirty;
  }
  peakRss = Math.max(peakRss, rss);
};
const timer = setInterval(sample, 50);
child.on('exit', (code, signal) => {
  clearInterval(timer);
  const mb = (kib: number) => (kib / 1024).toFixed(1);
  writeFileSync(
    out,
    `${mb(peak)}\nof which Private_Dirty ${mb(peakDirty)} MB, Private_Clean ${mb(peak - peakDirty)} MB\npeak RSS sum ${mb(peakRss)} MB\n`,
  );
  process.exitCode = code ?? (signal ? 128 : 1);
});
