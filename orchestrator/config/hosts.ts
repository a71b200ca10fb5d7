import { type HostSettings, resolveHostSettings } from '../options/hosts.js';
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

/** The config's spelling of each host setting, for messages. */
const KEYS: Record<keyof HostSettings, string> = {
  hosts: 'hosts',
  hostsFile: 'hosts.file',
  ssh: 'hosts.ssh',
  remoteManifold: 'hosts.remote-manifold',
  hostTimeout: 'hosts.host-timeout',
  transfer: 'hosts.transfer',
  cleanup: 'hosts.cleanup',
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
  return resolveHostSettings(settings, slots, (option) => KEYS[option], tables, folder);
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
