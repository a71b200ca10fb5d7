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

/** How a fan on hosts counts per host: where each slot runs, and what its instances say. */
export interface HostCounting {
  hostOf: (slot: number) => string;
  attributed: boolean;
}

/** A block given to a slot and not counted at a host yet: what it brings to a host's counts. */
interface Given {
  seq: number;
  records: number;
  bytes: number;
}

/**
 * The per-host totals of a fan on hosts. A block is counted at the host it ran on, once: when
 * its output is all back (at the host its slot runs on then, `hostOf`), or when the instance
 * it was given to ends (at the host that instance ran on). Not when it is given: a slot whose
 * host is dropped, or being connected to again, is given its next block before it is placed on
 * a host, and the block was counted at the host it left and done at the one it went to.
 */
export class HostTotals {
  readonly #hostOf: (slot: number) => string;
  readonly #attributed: boolean;
  readonly #hosts = new Map<string, HostStats>();
  /** Blocks given to each slot's instances, by slot, not counted at a host yet. */
  readonly #given = new Map<number, Given[]>();

  /**
   * `hostOf` names the host a slot runs on now; `attributed` says whether the workers know
   * which blocks an instance has unfinished when it ends (else it had every block given since
   * it started).
   */
  constructor({ hostOf, attributed }: HostCounting) {
    this.#hostOf = hostOf;
    this.#attributed = attributed;
  }

  /** The totals of the host `slot` runs on now, with the slot counted there. */
  of(slot: number): HostStats {
    return this.#at(this.#hostOf(slot), slot);
  }

  /** `block` was given to the instance of `slot`: counted once it is done, or that instance ends. */
  given(slot: number, block: { seq: number; records: number; bytes: number }): void {
    const { seq, records, bytes } = block;
    const given = this.#given.get(slot);
    if (given === undefined) this.#given.set(slot, [{ seq, records, bytes }]);
    else given.push({ seq, records, bytes });
  }

  /** `block` of `slot` is done: its output all came back from the host the slot runs on now. */
  done(slot: number, block: { seq: number }): void {
    const stats = this.of(slot);
    const given = this.#given.get(slot) ?? [];
    const i = given.findIndex((entry) => entry.seq === block.seq);
    if (i >= 0) count(stats, given.splice(i, 1)[0]!);
    stats.done++;
  }

  /**
   * The instance of `slot` ended on `host` (its end's own word: the slot may have moved since),
   * with `unfinished` blocks; no host when it never reached one (its host dropped, or stopped
   * while it waited for one): then it and its blocks ran nowhere. Only the unfinished blocks
   * were its own when the workers say which: a per-block slot is given its next block, for its
   * next instance, as the last one's is done, before that instance's end is told.
   */
  ended(
    slot: number,
    host: string | undefined,
    failed: boolean,
    unfinished: readonly { seq: number }[],
  ): void {
    const given = this.#given.get(slot) ?? [];
    const own = this.#attributed
      ? unfinished.flatMap((block) => {
          const i = given.findIndex((entry) => entry.seq === block.seq);
          return i < 0 ? [] : given.splice(i, 1);
        })
      : given.splice(0);
    if (host === undefined) return;
    const stats = this.#at(host, slot);
    for (const block of own) count(stats, block);
    stats.instances++;
    if (failed) stats.failed++;
  }

  /** Every host's totals, by name. */
  list(): HostStats[] {
    // By the names' bytes, as `LC_ALL=C sort`: not by the locale, which orders them otherwise.
    return [...this.#hosts.values()].sort((a, b) =>
      Buffer.compare(Buffer.from(a.host), Buffer.from(b.host)),
    );
  }

  /** The totals of `host`, with `slot` counted among its slots. */
  #at(host: string, slot: number): HostStats {
    const stats = this.#named(host);
    if (!stats.slots.includes(slot)) {
      stats.slots.push(slot);
      stats.slots.sort((a, b) => a - b);
    }
    return stats;
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

/** A block ran on the host `stats` counts. */
function count(stats: HostStats, block: Given): void {
  stats.blocks++;
  if (block.records > 0) stats.recordsIn += block.records;
  stats.bytesIn += block.bytes;
}
