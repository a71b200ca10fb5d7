import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { describeErrno, quoteName } from '../../filters/errors.js';
import { durationMs, ExitCode, ManifoldError, UsageError } from '../../filters/index.js';
import { type HostSpec, hostLines, parseHost, type RemoteSettings } from '../workers/ssh/hosts.js';
import { findProgram } from '../workers/which.js';
import { show } from './checks.js';
import { isRelativeCount } from './workers-count.js';

/** The names of the host settings, for the library's and configs' checks of option names. */
export const HOST_SETTING_NAMES = [
  'hosts',
  'hostsFile',
  'ssh',
  'remoteManifold',
  'hostTimeout',
  'transfer',
  'cleanup',
] as const;

/** `--host` for `hosts`, `--hosts-file` for `hostsFile`: the command line's spelling. */
export const hostFlagOf = (option: keyof HostSettings) =>
  option === 'hosts' ? '--host' : `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The settings that put a fan's workers on other machines (docs/hosts.md). */
export interface HostSettings {
  /** Hosts as `[user@]host[:port][/slots]`, or `:` / `local` for this machine (`--host`). */
  hosts?: readonly string[];
  /** A file of hosts, one a line, `#` comments. */
  hostsFile?: string;
  /** The ssh program and its options, as one line of words. @default 'ssh' */
  ssh?: string;
  /** manifold on the hosts. @default 'manifold' */
  remoteManifold?: string;
  /** How long a host may be silent before it counts as hung: 30, 5s, 500ms. @default '30s' */
  hostTimeout?: string | number;
  /** Paths, relative to the current folder, shipped to every host (files or folders). */
  transfer?: readonly string[];
  /** Remove from the hosts, at the end, what this run shipped. @default false */
  cleanup?: boolean;
}

/** A bad host setting: which one (and which entry of a list), for a config's position. */
export class HostSettingError extends UsageError {
  readonly option: keyof HostSettings;
  readonly index: number | undefined;

  constructor(option: keyof HostSettings, message: string, index?: number) {
    super(message);
    this.name = 'HostSettingError';
    this.option = option;
    this.index = index;
  }
}

const UNITS: Record<string, number> = { '': 1000, ms: 1, s: 1000, m: 60_000 };

/** Whether a fan's command runs on this machine: with no hosts, or with `:` (`local`) among them. */
export function runsHere(remote: RemoteSettings | null): boolean {
  return remote === null || remote.hosts.some((host) => host.local);
}

/**
 * Why a worker count relative to this machine's CPUs (`-j 50%`, `+1`) cannot go with hosts, whose
 * CPUs are their own (GNU parallel asks each host its count); null when `workers` is a number.
 */
export function relativeSlotsProblem(workers: unknown, name: string, hosts: string): string | null {
  if (!isRelativeCount(workers)) return null;
  return `${name} ${String(workers)} counts this machine's CPUs, not a host's: with ${hosts} give ${name} a number, or each host its slots (host/N)`;
}

/**
 * The hosts a fan runs on, each with its slots (`slots`, the fan's -j, unless it says `/slots`),
 * and how to reach them; null when no host is named. Messages name the option as `name` spells it.
 */
export function resolveHostSettings(
  settings: HostSettings,
  slots: number,
  name: (option: keyof HostSettings) => string,
  tables: { name: string; path: string }[] = [],
  baseFolder?: string,
): RemoteSettings | null {
  const hosts: HostSpec[] = [];
  const given = settings.hosts ?? [];
  if (!Array.isArray(given) || !given.every((host) => typeof host === 'string')) {
    throw new HostSettingError(
      'hosts',
      `${name('hosts')} must be a list of [user@]host[:port][/slots]`,
    );
  }
  const places = new Map<string, string>();
  for (const [index, text] of given.entries()) {
    const host = parseHost(text, slots);
    if ('problem' in host)
      throw new HostSettingError('hosts', `${name('hosts')}: ${host.problem}`, index);
    namedOnce(host, `${entryOf(name('hosts'), index)} ${text}`, places, 'hosts', index);
    hosts.push(host);
  }
  const file = settings.hostsFile;
  if (file !== undefined) {
    let content: string;
    try {
      content = readFileSync(resolve(baseFolder ?? '', file), 'utf8');
    } catch (error) {
      // In words, as `cat` says it: `is a directory`, not Node's `EISDIR: illegal operation...`.
      // An empty name is no file, as `cat ''` says, not the current folder it resolves to.
      const why = file === '' ? 'no such file' : describeErrno(error);
      throw new HostSettingError('hostsFile', `${name('hostsFile')} ${quoteName(file)}: ${why}`);
    }
    for (const { line, text } of hostLines(content)) {
      const host = parseHost(text, slots);
      if ('problem' in host)
        throw new HostSettingError('hostsFile', `${file}:${line}: ${host.problem}`);
      namedOnce(host, `${file}:${line}`, places, 'hostsFile');
      hosts.push(host);
    }
    if (hosts.length === 0)
      throw new HostSettingError('hostsFile', `${name('hostsFile')} ${file} names no host`);
  }
  const others = ['ssh', 'remoteManifold', 'hostTimeout', 'transfer', 'cleanup'] as const;
  if (hosts.length === 0) {
    const other = others.find(
      (option) => settings[option] !== undefined && settings[option] !== false,
    );
    if (other !== undefined)
      throw new HostSettingError(other, `${name(other)} needs hosts (${name('hosts')})`);
    return null;
  }
  // The current folder only once a host needs it: where it was deleted, a run of none goes on.
  const base = baseFolder ?? process.cwd();
  const ssh = (settings.ssh ?? 'ssh').trim().split(/\s+/);
  if (ssh[0] === '') throw new HostSettingError('ssh', `${name('ssh')} must name a program`);
  // A path to it is the caller's folder's (a config's), as its other paths and a worker's are;
  // ssh runs there (`folder`), so its options' paths (`-F ./ssh_config`) are that folder's too.
  if (ssh[0]!.includes('/')) ssh[0] = resolve(base, ssh[0]!);
  if (hosts.some((host) => !host.local)) checkSsh(ssh[0]!, name('ssh'));
  const remoteManifold = settings.remoteManifold ?? 'manifold';
  if (remoteManifold.trim() === '')
    throw new HostSettingError('remoteManifold', `${name('remoteManifold')} must name a program`);
  const paths = settings.transfer ?? [];
  if (!Array.isArray(paths) || !paths.every((path) => typeof path === 'string')) {
    throw new HostSettingError('transfer', `${name('transfer')} must be a list of paths`);
  }
  const transfer = paths.map((path, index) => transferPath(path, name('transfer'), base, index));
  return {
    ...{ hosts, ssh, sshOption: name('ssh'), folder: base, remoteManifold },
    hostTimeout: hostTimeout(settings.hostTimeout, name),
    hostTimeoutOption: name('hostTimeout'),
    ...{ transfer, tables, cleanup: settings.cleanup === true },
  };
}

/**
 * Which entry of a list of hosts: `the 3rd --host` (a flag is counted, as the user repeats it),
 * `hosts[2]` (a list's key is indexed, as the code or config that wrote it does).
 */
function entryOf(option: string, index: number): string {
  if (!option.startsWith('--')) return `${option}[${index}]`;
  const n = index + 1;
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `the ${n}${suffix} ${option}`;
}

/**
 * A host named twice (`--host h1 --host h1/4`, a hosts file's line and a `--host`) is refused,
 * naming both places: every message, `--stats` and `--progress` name a host by its name, so two
 * would read as one, and which slots were meant (the sum, the last) is a guess. GNU parallel
 * keeps the last one's slots silently. `:` and `local` are one host, this machine.
 */
function namedOnce(
  host: HostSpec,
  place: string,
  places: Map<string, string>,
  option: keyof HostSettings,
  index?: number,
): void {
  const first = places.get(host.name);
  if (first === undefined) {
    places.set(host.name, place);
    return;
  }
  throw new HostSettingError(
    option,
    `host ${host.name} is named twice, by ${first} and ${place}: name it once, with its slots (${host.name}/N)`,
    index,
  );
}

/**
 * The ssh program is looked for here before any host is connected to, as a worker's command is:
 * one line naming the option (exit 127), not Node's `spawn nossh ENOENT` for every host.
 */
function checkSsh(program: string, option: string): void {
  const found = findProgram(program);
  if ('problem' in found) {
    throw new ManifoldError('manifold.notFound', `${option} ${program}: ${found.problem}`, {
      exitCode: ExitCode.notFound,
    });
  }
}

/** A path to ship: relative to here and inside it (the workers see it at the same name), there. */
function transferPath(
  path: string,
  option: string,
  base: string,
  index: number,
): { name: string; path: string } {
  const clean = normalize(path).replace(/\/+$/, '');
  if (isAbsolute(clean) || clean === '..' || clean.startsWith('../') || clean === '.') {
    throw new HostSettingError(
      'transfer',
      `${option} ${quoteName(path)}: give a path inside the current folder (the workers see it at the same name)`,
      index,
    );
  }
  const here = join(base, clean);
  if (!existsSync(here))
    throw new HostSettingError('transfer', `${option} ${quoteName(path)}: no such file`, index);
  return { name: clean, path: here };
}

function hostTimeout(value: unknown, name: (option: keyof HostSettings) => string): number {
  if (value === undefined) return 30_000;
  const ms = durationMs(value, UNITS);
  if (!(ms >= 100 && ms <= 3_600_000)) {
    throw new HostSettingError(
      'hostTimeout',
      `${name('hostTimeout')} must be a duration from 100ms to 1h: seconds (30) or with a unit (500ms, 5s, 2m) (got ${show(value)})`,
    );
  }
  return ms;
}
