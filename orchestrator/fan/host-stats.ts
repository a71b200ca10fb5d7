/** What the instances that ran on one host did, for --stats (fans on hosts only). */
export interface HostStats {
  /** The host's name, as --host gave it. */
  host: string;
  /** The slots that ran blocks there, from 1 (a dropped host's slots move to the hosts left). */
  slots: number[];
  /** Blocks given to instances there. */
  blocks: number;
  /** Blocks whose output was all back from there. */
  done: number;
  recordsIn: number;
  bytesIn: number;
  recordsOut: number;
  bytesOut: number;
  /** Instances that ended there, and how many of them failed (a lost host's included). */
  instances: number;
  failed: number;
}

/**
 * The per-host totals of a fan on hosts: each count goes to the host its slot runs on at that
 * moment (`hostOf`), so a slot moved after its host was dropped counts where its blocks ran.
 */
export class HostTotals {
  readonly #hostOf: (slot: number) => string;
  readonly #hosts = new Map<string, HostStats>();

  constructor(hostOf: (slot: number) => string) {
    this.#hostOf = hostOf;
  }

  /** The totals of the host `slot` runs on now, with the slot counted there. */
  of(slot: number): HostStats {
    const stats = this.#named(this.#hostOf(slot));
    if (!stats.slots.includes(slot)) {
      stats.slots.push(slot);
      stats.slots.sort((a, b) => a - b);
    }
    return stats;
  }

  /** The instance of `slot` ended on `host` (its end's own word: it may have moved since). */
  ended(slot: number, host: string | undefined, failed: boolean): void {
    const stats = host === undefined ? this.of(slot) : this.#named(host);
    stats.instances++;
    if (failed) stats.failed++;
  }

  /** Every host's totals, by name. */
  list(): HostStats[] {
    return [...this.#hosts.values()].sort((a, b) => a.host.localeCompare(b.host));
  }

  #named(host: string): HostStats {
    const known = this.#hosts.get(host);
    if (known !== undefined) return known;
    const stats = {
      host,
      slots: [],
      blocks: 0,
      done: 0,
      recordsIn: 0,
      bytesIn: 0,
      recordsOut: 0,
      bytesOut: 0,
      instances: 0,
      failed: 0,
    };
    this.#hosts.set(host, stats);
    return stats;
  }
}
