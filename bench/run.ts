#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { withBuildAgainst } from './against.js';
import { makeData } from './cases/data.js';
import { fanCases } from './cases/fan.js';
import { filterCases } from './cases/filters.js';
import { hostsCases } from './cases/hosts.js';
import { pipelineCases } from './cases/pipeline.js';
import { queueCases } from './cases/queue.js';
import { tableCases } from './cases/table.js';
import { wordsCases } from './cases/words.js';
import { describeMachine, hasProgram, medianSeconds, timeCommand } from './measure.js';
import { type Case, formatTable, type Measured } from './report.js';
import { startHosts, type TestHosts } from './sshd-hosts.js';
import { makeTableData } from './table-data.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const program = new Command('bench')
  .description('Benchmarks manifold against plain pipes, awk and GNU parallel, on generated data.')
  .option(
    '--quick',
    'small data and one run per case, no warm-up: proves the suite works; times mean little',
  )
  .option('--runs <n>', 'timed runs per case (after one warm-up); the median is reported', '3')
  .option(
    '--only <groups>',
    'run only these groups, comma-separated (sdk, fan, hash, cpu, memory, startup, pipeline, words, table, hosts, queue)',
  )
  .option(
    '--against <checkout>',
    "also run every manifold case with another checkout's build (e.g. a worktree of main), side by side",
  )
  .parse();
const options = program.opts<{ quick?: boolean; runs: string; only?: string; against?: string }>();
const runs = options.quick ? 1 : Number(options.runs);

const folder = await mkdtemp(join(tmpdir(), 'manifold-bench-'));
let hosts: TestHosts | null = null;
try {
  process.stderr.write('generating data...\n');
  const data = await makeData(root, folder, options.quick === true);
  const hasParallel = await hasProgram('parallel');
  let cases: Case[] = [
    ...filterCases(data),
    ...fanCases(data, hasParallel),
    ...pipelineCases(data),
    ...wordsCases(data, hasParallel),
  ];
  // The queue's group needs Debian's nats-server (docs/queue.md).
  const hasNats = await hasProgram('nats-server');
  if (hasNats) cases.push(...queueCases(data));
  const groups = options.only?.split(',');
  // The table group's data (two tables and a stream) is made only when the group runs.
  if (groups === undefined || groups.includes('table')) {
    cases.push(...tableCases(data, await makeTableData(root, folder, options.quick === true)));
  }
  // The hosts group's sshd hosts (bench/sshd-hosts.ts: as root, or on loopback ports) run while
  // the suite does; without sshd the group is left out, and said so.
  if (groups === undefined || groups.includes('hosts')) {
    if (existsSync('/usr/sbin/sshd')) {
      hosts = await startHosts(2);
      cases.push(...hostsCases(data, hosts.ssh));
    } else {
      process.stderr.write('hosts: no /usr/sbin/sshd (Debian package openssh-server): left out\n');
    }
  }
  if (groups !== undefined) cases = cases.filter((c) => groups.includes(c.group));
  if (options.against) cases = withBuildAgainst(cases, root, options.against);
  const measured: Measured[] = [];
  // Each group is timed together, its runs interleaved, so its ratios compare like with like.
  for (const group of [...new Set(cases.map((c) => c.group))]) {
    process.stderr.write(`${group}:\n`);
    const members = cases.filter((c) => c.group === group && c.probe === undefined);
    const medians = await medianSeconds(
      members.map((c) => c.command),
      runs,
      !options.quick,
    );
    for (const item of cases.filter((c) => c.group === group)) {
      if (item.probe === undefined) measured.push({ ...item, seconds: medians.get(item.command)! });
      else measured.push(await probe(item));
    }
  }
  console.log('# manifold benchmarks\n');
  console.log(`Machine: ${describeMachine()}  `);
  console.log(
    `Data: ${(data.smallBytes / 1e6).toFixed(0)} MB (sdk) and ${(data.bigBytes / 2 ** 20).toFixed(0)} MiB (fan, hash, memory, pipeline) of generated access-log lines; ${(data.wordsBytes / 2 ** 20).toFixed(0)} MiB of ~90-byte lines of words (words; sort on ${(data.wordsHeadBytes / 1e6).toFixed(0)} MB of them); ${options.quick ? 'one run, no warm-up' : `median of ${runs} interleaved run(s) after a warm-up`}.  `,
  );
  console.log(
    hasParallel
      ? 'GNU parallel: present.\n'
      : 'GNU parallel: **missing** (Debian package `parallel`): its anchors are left out.\n',
  );
  if (!hasNats)
    console.log(
      'nats-server: **missing** (Debian package `nats-server`): the queue group is left out.\n',
    );
  console.log(formatTable(measured, !options.quick));
} finally {
  await hosts?.stop();
  await rm(folder, { recursive: true, force: true });
}

/** Runs a probe case once: peak RSS from GNU time, or manifold's share of the CPU time. */
async function probe(item: Case): Promise<Measured> {
  const file = join(folder, 'probe');
  const { seconds } = await timeCommand(item.command, { ...process.env, PROBE: file });
  if (item.probe === 'value') {
    // The number, then any lines that say more about it.
    const [value, ...more] = (await readFile(file, 'utf8')).trim().split('\n');
    return { ...item, seconds, probed: Number(value), note: more.join('; ') || undefined };
  }
  if (item.probe === 'rss') {
    const kilobytes = Number((await readFile(file, 'utf8')).trim().split('\n').at(-1));
    return { ...item, seconds, probed: kilobytes / 1024 };
  }
  const [user, system] = (await readFile(`${file}.total`, 'utf8'))
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map(Number);
  const stats = JSON.parse(await readFile(`${file}.stats`, 'utf8')) as {
    orchestratorCpuMs: number;
  };
  const total = (user! + system!) * 1000;
  return { ...item, seconds, probed: total > 0 ? (100 * stats.orchestratorCpuMs) / total : 0 };
}
