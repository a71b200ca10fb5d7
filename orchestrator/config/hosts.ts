import { describeError, UsageError } from '../../filters/index.js';
import { HostSettingError, type HostSettings, resolveHostSettings } from '../options/hosts.js';
import type { RemoteSettings } from '../workers/ssh/hosts.js';

/** A config's `hosts:`: a list of hosts, or an object with the list and how to reach them. */
export type RawHosts =
  | string[]
  | {
      list?: string[];
      file?: string;
      ssh?: string;
      'remote-manifold'?: string;
      'host-timeout'?: string | number;
      transfer?: string[];
      cleanup?: boolean;
    };

/** The config's key of each host setting in the object form of `hosts:`. */
const KEYS: Record<keyof HostSettings, string> = {
  hosts: 'list',
  hostsFile: 'file',
  ssh: 'ssh',
  remoteManifold: 'remote-manifold',
  hostTimeout: 'host-timeout',
  transfer: 'transfer',
  cleanup: 'cleanup',
};

/**
 * A fan stage's hosts (its own `hosts:`, else the config's), resolved as `--host` and its
 * options are; paths (a hosts file, transfers) are relative to the config's folder.
 */
export function configHosts(
  raw: RawHosts | undefined,
  slots: number,
  tables: { name: string; path: string }[],
  folder: string,
): RemoteSettings | null {
  if (raw === undefined) return null;
  namesSomeHost(raw);
  const settings: HostSettings = Array.isArray(raw)
    ? { hosts: raw }
    : {
        ...(raw.list === undefined ? {} : { hosts: raw.list }),
        ...(raw.file === undefined ? {} : { hostsFile: raw.file }),
        ...(raw.ssh === undefined ? {} : { ssh: raw.ssh }),
        ...(raw['remote-manifold'] === undefined ? {} : { remoteManifold: raw['remote-manifold'] }),
        ...(raw['host-timeout'] === undefined ? {} : { hostTimeout: raw['host-timeout'] }),
        ...(raw.transfer === undefined ? {} : { transfer: raw.transfer }),
        ...(raw.cleanup === undefined ? {} : { cleanup: raw.cleanup }),
      };
  // Messages name the key as written: `hosts` for a list, `hosts.list` in the object form.
  const name = (option: keyof HostSettings) =>
    Array.isArray(raw) ? 'hosts' : `hosts.${KEYS[option]}`;
  const resolved = resolveHostSettings(settings, slots, name, tables, folder);
  // A list's hosts have the default timeout: the key that changes it is the object form's.
  return resolved && { ...resolved, hostTimeoutOption: `hosts.${KEYS.hostTimeout}` };
}

/**
 * Refuses `hosts:` that names no host: an empty list (`[]`, `list: []`), or a map without list
 * or file: each would run the fans on this machine, as if `hosts` were left out, unasked.
 * Empty names, and a setting without hosts, are said where the hosts are resolved.
 */
function namesSomeHost(raw: RawHosts): void {
  const empty = 'is an empty list: name one or more hosts, or leave the key out';
  if (Array.isArray(raw)) {
    if (raw.length === 0) throw new HostSettingError('hosts', `hosts ${empty}`);
    return;
  }
  if (raw.list?.length === 0) throw new HostSettingError('hosts', `hosts.list ${empty}`);
  // A setting without hosts (`ssh: ssh`, `cleanup: true`) says so at its key; an unknown key
  // (`lst`), as such.
  if (Object.keys(raw).every((key) => key === 'cleanup') && raw.cleanup !== true)
    throw new UsageError('hosts names no host: give it list or file, or leave the key out');
}

/**
 * Where in `hosts:` the setting that `error` (from configHosts) is about stands: the key of the
 * object form (`ssh`, `transfer`), with the entry of a list that is wrong; [] for `hosts:` itself.
 */
export function hostsProblemPath(raw: RawHosts | undefined, error: unknown): (string | number)[] {
  const index = (i: number | undefined) => (i === undefined ? [] : [i]);
  if (error instanceof HostSettingError)
    return Array.isArray(raw) ? index(error.index) : [KEYS[error.option], ...index(error.index)];
  // The one other error of hosts: the ssh program not found.
  return Array.isArray(raw) || raw?.ssh === undefined ? [] : ['ssh'];
}

/**
 * Whether a stage's hosts are all other machines (none is `:` or `local`): its commands are then
 * looked for on each host as it starts (exit 127 naming it), not on this machine's PATH.
 */
export function onlyOtherMachines(raw: RawHosts | undefined, folder: string): boolean {
  if (raw === undefined) return false;
  try {
    return configHosts(raw, 1, [], folder)?.hosts.every((host) => !host.local) ?? false;
  } catch {
    // Hosts that cannot be read are a problem of their own, said where they are resolved.
    return true;
  }
}

/**
 * The config's own `hosts:`, checked alone: a fan checks them as it uses them, but a config
 * whose fans have hosts of their own, or that has none, had them unchecked (`hosts: []`
 * passed). A problem a fan said too is said once.
 */
export function checkConfigHosts(
  raw: RawHosts | undefined,
  folder: string,
  report: (path: (string | number)[], message: string) => void,
): void {
  if (raw === undefined) return;
  try {
    configHosts(raw, 1, [], folder);
  } catch (error) {
    report(['hosts', ...hostsProblemPath(raw, error)], describeError(error));
  }
}
