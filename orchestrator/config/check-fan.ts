import { resolve } from 'node:path';
import { describeError } from '../../filters/index.js';
import { OptionError, resolveFanSettings } from '../options/fan.js';
import { relativeSlotsProblem } from '../options/hosts.js';
import { notOnHosts } from '../options/not-on-hosts.js';
import { type CommandChecking, checkWorker } from './check-commands.js';
import { checkFanValues, configKeyOf, configNameOf, toFanSettings } from './fan.js';
import { configHosts, hostsProblemPath, onlyOtherMachines, type RawHosts } from './hosts.js';
import { checkFileToWrite, type FileChecks } from './io.js';
import type { Joblogs } from './joblogs.js';
import type { Stage } from './model.js';
import { configQueue } from './queue.js';
import type { Env, Path, RawWorker } from './raw.js';

/** What checking a fan stage needs of the config's check (check.ts). */
export interface FanChecking {
  /** The config's folder: its workers run there, its paths are relative to it. */
  folder: string;
  files: FileChecks;
  /** The config's tables, as `NAME=path`. */
  tables: string[];
  /** The config's own hosts, for a fan without its own. */
  hosts: RawHosts | undefined;
  commands: CommandChecking;
  /** The fans' job logs so far, each checked against the run's files and the others. */
  joblogs: Joblogs;
  problem(path: Path, message: string): void;
  /** Problems found so far, in the whole config. */
  count(): number;
  /** Whether the schema found a bad value at `path`, within it or around it. */
  said(path: Path): boolean;
}

/**
 * A fan stage checked into what runs: its values, its worker (here, on a queue, or on hosts),
 * its options resolved as `manifold fan`'s are, each problem said at its key. Each bad value
 * is said (the schema's, and those checkFanValues finds), and only once none is, the first of
 * its keys that do not go together, which reading the bad ones would mistake.
 */
export function checkFanStage(
  checking: FanChecking,
  raw: Record<string, unknown> & { worker: RawWorker },
  { path, name, line, env }: { path: Path; name: string; line: number; env: Env },
): Stage[] {
  const before = checking.count();
  const report = (key: string, message: string) => checking.problem([...path, key], message);
  checkFanValues(raw, report);
  // A queue's blocks run under its workers' own commands: the stage's is a placeholder.
  const hosts = (raw.hosts as RawHosts | undefined) ?? checking.hosts;
  const onPath = !onlyOtherMachines(hosts, checking.folder);
  const worker =
    raw.queue === undefined
      ? checkWorker(checking.commands, raw.worker, [...path, 'worker'], env, onPath)
      : { argv: ['queue'], shell: false, env: {} };
  if (worker === null || checking.count() > before || checking.said(path)) return [];
  const queue = configQueue(raw, report, checking.tables);
  if (queue === undefined) return [];
  try {
    const notes: string[] = [];
    const threads =
      typeof raw.worker === 'object' && !Array.isArray(raw.worker) && raw.worker.threads;
    const fan = resolveFanSettings(
      {
        ...toFanSettings(raw, worker),
        // Like every other path in a config, relative to the config's folder.
        ...(typeof raw.tmpdir === 'string' &&
          raw.tmpdir !== '' && { tmpdir: resolve(checking.folder, raw.tmpdir) }),
        table: queue === null ? checking.tables : [],
        ...(threads === true && { threads }),
      },
      configNameOf,
      (note) => notes.push(`stage ${name}: ${note}`),
    );
    // Its workers run in the config's folder, as every other process of the run does; their
    // TMPDIR is tmpdir's, as on the command line.
    const env = fan.tmpdir === undefined ? worker.env : { ...worker.env, TMPDIR: fan.tmpdir };
    fan.command = { ...fan.command, env, cwd: checking.folder };
    // Its messages as it runs name the config's keys, as the check's do.
    fan.optionName = configNameOf;
    // Like every other path in a config, the job log's is relative to the config's folder.
    if (fan.joblog && fan.joblog !== '-') {
      fan.joblog = resolve(checking.folder, fan.joblog);
      if (checking.files !== 'named') {
        const at = [...path, 'joblog'];
        const before = checking.count();
        checkFileToWrite(fan.joblog, `joblog "${raw.joblog}"`, (message) =>
          checking.problem(at, message),
        );
        if (checking.count() === before)
          checking.joblogs.add(fan.joblog, String(raw.joblog), at, name);
      }
    }
    const tables = checking.tables.map((value) => {
      const at = value.indexOf('=');
      return { name: value.slice(0, at), path: value.slice(at + 1) };
    });
    if (queue !== null) return [{ kind: 'fan', name, line, options: fan, notes, queue }];
    let remote: ReturnType<typeof configHosts>;
    try {
      remote = configHosts(hosts, fan.workers, tables, checking.folder);
    } catch (error) {
      const at = raw.hosts !== undefined ? [...path, 'hosts'] : ['hosts'];
      checking.problem([...at, ...hostsProblemPath(hosts, error)], describeError(error));
      return [];
    }
    const relative = remote && relativeSlotsProblem(raw.workers, 'workers', 'hosts');
    if (relative) {
      checking.problem([...path, 'workers'], relative);
      return [];
    }
    const refused = remote && notOnHosts(fan, configNameOf, 'hosts');
    if (refused) {
      checking.problem([...path, configKeyOf(refused.option)], refused.message);
      return [];
    }
    return [
      { kind: 'fan', name, line, options: fan, notes, ...(remote === null ? {} : { remote }) },
    ];
  } catch (error) {
    const key = error instanceof OptionError ? configKeyOf(error.option) : undefined;
    checking.problem(key !== undefined && key in raw ? [...path, key] : path, describeError(error));
    return [];
  }
}
