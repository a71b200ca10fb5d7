import type { Case } from '../report.js';

/** At least `limit` times the baseline's time. */
const atLeast =
  (limit: number): Case['meets'] =>
  ({ ratio }) =>
    ratio !== undefined && ratio >= limit;

/** At most `limit` of the baseline's time. */
const atMost =
  (limit: number): Case['meets'] =>
  ({ ratio }) =>
    ratio !== undefined && ratio <= limit;

/**
 * Issue 13's targets for `fan -j 2 cat` over one data set, each against its anchor of the same
 * run: the ready merge against `cat | cat`, into `/dev/null` and into a pipe; pipe input and the
 * two ordered merges against the ready merge, `--one-to-one` from a pipe against it from the
 * file, and what `--one-to-one` costs at least. `ready` names the ready merge's case (the fan
 * group's and the words group's names differ, and other cases take them as baselines).
 */
export function fanTargetCases(
  group: string,
  root: string,
  manifold: string,
  file: string,
  bytes: number,
  ready: string,
): Case[] {
  const fan = `${manifold} fan -j 2`;
  return [
    { group, name: 'cat | cat', command: `cat ${file} | cat > /dev/null`, bytes },
    {
      group,
      name: ready,
      command: `${fan} -- cat < ${file} > /dev/null`,
      baseline: 'cat | cat',
      bytes,
      target: 'ratio ≤ 1.5',
      meets: atMost(1.5),
    },
    // The same with the output read by another program, as in real use: a pipe, not /dev/null.
    {
      group,
      name: 'cat | cat, into a pipe',
      command: `cat ${file} | cat | cat > /dev/null`,
      bytes,
    },
    {
      group,
      name: `${ready}, into a pipe`,
      command: `${fan} -- cat < ${file} | cat > /dev/null`,
      baseline: 'cat | cat, into a pipe',
      bytes,
      target: 'ratio ≤ 1.5',
      meets: atMost(1.5),
    },
    // Input from a pipe: nothing can be read twice or handed to a worker as a range.
    {
      group,
      name: 'cat file | fan -j 2 cat (pipe input)',
      command: `cat ${file} | ${fan} -- cat > /dev/null`,
      baseline: ready,
      bytes,
      target: 'ratio ≤ 1.2',
      meets: atMost(1.2),
    },
    {
      group,
      // What any program reading the file through a pipe pays on this machine, doing nothing
      // with it: the ready merge's workers are fed by sendfile from the file, and pipe input
      // cannot be. The pipe is sized as manifold's starter sizes it (a MiB) and spliced away.
      name: 'the floor of pipe input: cat file | a MiB pipe spliced into /dev/null, no manifold',
      command: `cat ${file} | /usr/bin/python3 -I -S ${root}bench/probes/pipe-floor.py`,
      baseline: ready,
      bytes,
    },
    {
      group,
      name: 'fan -j 2 --merge ordered --one-to-one cat',
      command: `${fan} --merge ordered --one-to-one -- cat < ${file} > /dev/null`,
      baseline: ready,
      bytes,
      target: 'ratio ≤ 1.1',
      meets: atMost(1.1),
    },
    // The same from a pipe: blocks a worker is tied to keep their bytes until done.
    {
      group,
      name: 'cat file | fan -j 2 --merge ordered --one-to-one cat (pipe input)',
      command: `cat ${file} | ${fan} --merge ordered --one-to-one -- cat > /dev/null`,
      baseline: 'fan -j 2 --merge ordered --one-to-one cat',
      bytes,
      target: 'ratio ≤ 1.2',
      meets: atMost(1.2),
    },
    {
      group,
      // What --one-to-one adds to the ready merge at least, on manifold's one thread.
      name: 'the floor of --one-to-one: every record end counted in and out, nothing else',
      command: `node ${root}dist/bench/probes/count-floor.js --out "$PROBE" --input ${file}`,
      probe: 'value',
      unit: 'ms',
    },
    {
      group,
      // No way named to tie output to blocks: a process per block, their size chosen for them.
      name: 'fan -j 2 --merge ordered cat (per-block workers)',
      command: `${fan} --merge ordered -- cat < ${file} > /dev/null`,
      baseline: ready,
      bytes,
      target: 'ratio ≤ 1.5',
      meets: atMost(1.5),
    },
    {
      group,
      // What a process per block costs on this machine, with nothing of manifold's: a cat per
      // 32 MiB range (the size per-block workers grow to at -j 2), fed by sendfile, 2 at a time.
      name: 'the floor of per-block workers: a cat per 32 MiB block, 2 at a time, no order kept',
      command: `/usr/bin/python3 -I -S ${root}bench/probes/per-block-floor.py ${file} 32 2 > /dev/null`,
      baseline: ready,
      bytes,
    },
    {
      group,
      // What the ready merge costs with nothing of manifold's: two cats fed 4 MiB blocks by
      // sendfile, their output's whole lines written by one Python process (as the starter does).
      name: 'the floor of the ready merge: sendfile in, whole lines out by one process, no manifold',
      command: `/usr/bin/python3 -I -S ${root}bench/probes/relay-floor.py ${file} 4 2 > /dev/null`,
      baseline: ready,
      bytes,
    },
  ];
}

/**
 * Issue 13's targets against `parallel --pipepart` over the same file: no faster than the ready
 * merge into `/dev/null`, and 1.2× slower into a pipe.
 */
export function pipepartTargetCases(
  group: string,
  file: string,
  bytes: number,
  ready: string,
): Case[] {
  const pipepart = `parallel --will-cite --pipepart -a ${file} --block -1 -j2 cat`;
  return [
    {
      group,
      name: 'parallel --pipepart',
      command: `${pipepart} > /dev/null`,
      baseline: ready,
      bytes,
      target: 'ratio ≥ 1',
      meets: atLeast(1),
    },
    {
      group,
      name: 'parallel --pipepart, into a pipe',
      command: `${pipepart} | cat > /dev/null`,
      baseline: `${ready}, into a pipe`,
      bytes,
      target: 'ratio ≥ 1.2',
      meets: atLeast(1.2),
    },
  ];
}
