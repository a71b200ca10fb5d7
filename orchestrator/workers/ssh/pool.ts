import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, ManifoldError, plural } from '../../../filters/index.js';
import { type ShipItem, shipItem } from '../shipment.js';
import type {
  InstanceBlock,
  RemoteSlots,
  SlotSpec,
  Transport,
  TransportEvents,
} from '../transport.js';
import { HostConnection } from './connection.js';
import type { RemoteSettings } from './hosts.js';
import { Session } from './session.js';
import { removeFrom } from './ship.js';
import { shipHosts } from './ship-hosts.js';
import { SshTransport } from './transport.js';

/** Lost sessions (a connection that failed) after which a host is dropped for the run. */
export const HOST_FAILURES = 3;

/** How many hosts are connected to at once: a burst of logins is what sshd's MaxStartups drops. */
const CONNECTING = 8;

/** What the pool says: a line for stderr, and one for --verbose. */
export interface PoolReporter {
  say(line: string): void;
  log(line: string): void;
}

/**
 * The hosts of a fan, connected before it starts, and the sessions its slots run on: slot k of
 * a host runs its instances, one after another, on one `manifold worker --stdio` over the
 * host's shared connection. A host that fails repeatedly is dropped, and its slots go on on the
 * hosts left (the engine tries their unfinished blocks again there, under --retries).
 */
export class HostPool implements RemoteSlots {
  readonly #settings: RemoteSettings;
  readonly #reporter: PoolReporter;
  readonly #hosts: HostConnection[];
  readonly #controlDir: string;
  /** The host each slot runs on, by slot from 1: the one it moved to once its own was dropped. */
  readonly #slotHosts: HostConnection[] = [];
  /** The session each slot runs on, by slot from 1: a dead one until the slot is placed again. */
  readonly #sessions = new Map<number, Session>();
  readonly #run = randomBytes(8).toString('hex');
  readonly #dropped: HostConnection[] = [];
  #items: ShipItem[] = [];
  /** Hosts the run's folder was made on (not those dropped as it was: `cannot ship`). */
  #shippedTo: HostConnection[] = [];
  /** Closing: a connection being opened again is killed, which is no news. */
  #closing = false;

  private constructor(settings: RemoteSettings, reporter: PoolReporter) {
    this.#settings = settings;
    this.#reporter = reporter;
    // The sockets of the shared connections: a private folder, short enough for a socket's path.
    this.#controlDir = mkdtempSync(join(tmpdir(), 'mf-ssh-'));
    this.#hosts = settings.hosts.map(
      (spec, i) => new HostConnection(spec, settings, this.#controlDir, i, reporter.log),
    );
  }

  /**
   * Connects to every host, a few at a time, before any input is read. A host without manifold
   * is an error (exit 127) naming it; a host that cannot be reached is dropped with a line, and
   * when none can be, the error (exit 1) names them all.
   *
   * `stopped` aborted (a signal while a host takes its time to answer) ends every connection at
   * once, says nothing more, and resolves: the caller, which stopped, closes the pool. Until
   * then, a Ctrl-C killed manifold and left its ssh to a hung host running, detached.
   */
  static async connect(
    settings: RemoteSettings,
    reporter: PoolReporter,
    stopped?: AbortSignal,
  ): Promise<HostPool> {
    const pool = new HostPool(settings, reporter);
    const abort = () => {
      for (const host of pool.#hosts) host.kill();
    };
    stopped?.addEventListener('abort', abort, { once: true });
    try {
      await pool.#connectAll(stopped);
    } catch (error) {
      await pool.close();
      if (stopped?.aborted !== true) throw error;
    } finally {
      stopped?.removeEventListener('abort', abort);
    }
    return pool;
  }

  async #connectAll(stopped: AbortSignal | undefined): Promise<void> {
    const results = new Array<Awaited<ReturnType<HostConnection['connect']>>>(this.#hosts.length);
    let next = 0;
    const worker = async () => {
      while (next < this.#hosts.length && stopped?.aborted !== true) {
        const i = next++;
        results[i] = await this.#hosts[i]!.connect();
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONNECTING, this.#hosts.length) }, worker));
    if (stopped?.aborted) return;
    const missing = this.#hosts.findIndex((_, i) => results[i]!.kind === 'not-found');
    if (missing >= 0) {
      const { reason } = results[missing] as { reason: string };
      throw new ManifoldError(
        'manifold.notFound',
        `host ${this.#hosts[missing]!.name}: ${reason}`,
        {
          exitCode: ExitCode.notFound,
        },
      );
    }
    for (const [i, host] of this.#hosts.entries()) {
      const result = results[i]!;
      if (result.kind === 'failed') this.#drop(host, `cannot connect: ${result.reason}`);
      else this.#reporter.log(`host ${host.name}: connected, ${plural(host.spec.slots, 'slot')}`);
    }
    if (this.#hosts.every((host) => host.state === 'dropped')) throw this.#noHostLeft();
    await this.#ship(stopped);
    if (stopped?.aborted) return;
    if (this.#hosts.every((host) => host.state === 'dropped')) throw this.#noHostLeft();
    for (const host of this.#hosts) {
      if (host.state === 'up') for (let s = 0; s < host.spec.slots; s++) this.#slotHosts.push(host);
    }
    // Each slot's worker starts now, while the fan sets itself up: Node's start-up on the host
    // is then not in the first block's way.
    for (const [i, host] of this.#slotHosts.entries()) {
      this.#sessions.set(i + 1, this.#session(host));
    }
  }

  /**
   * Ships --transfer paths and tables to every host before its first block (this machine needs
   * none of it): each host is sent only what its cache lacks.
   */
  async #ship(stopped: AbortSignal | undefined): Promise<void> {
    const { transfer, tables } = this.#settings;
    const items: ShipItem[] = [
      ...transfer.map((item) => shipItem(item.name, 'transfer', item.path)),
      ...tables.map((table) => shipItem(table.name, 'table', table.path)),
    ];
    this.#items = items;
    if (items.length === 0) return;
    const remote = this.#hosts.filter((host) => host.state === 'up' && !host.spec.local);
    await shipHosts(remote, items, this.#run, transfer.length > 0, stopped, {
      drop: (host, reason) => this.#drop(host, reason),
      log: (line) => this.#reporter.log(line),
    });
    this.#shippedTo = remote.filter((host) => host.state === 'up');
  }

  #session(host: HostConnection): Session {
    const { hostTimeout, hostTimeoutOption } = this.#settings;
    const timeout = { ms: hostTimeout, option: hostTimeoutOption ?? '--host-timeout' };
    return new Session(host, this.#run, timeout, (lost, reason, hung) =>
      this.#lost(lost, reason, hung),
    );
  }

  /** How many slots the fan has: those of the hosts that could be reached. */
  get slots(): number {
    return this.#slotHosts.length;
  }

  /**
   * The host `slot` runs on now, or last ran on: its session's (a dropped host's slots move),
   * for --stats, --joblog and messages.
   */
  hostOf(slot: number): string {
    return (this.#sessions.get(slot)?.host ?? this.#slotHosts[slot - 1])?.name ?? '';
  }

  open(spec: SlotSpec, events: TransportEvents, block?: InstanceBlock): Transport {
    const transport = new SshTransport(spec, events, this.#run, block);
    this.#place(transport, spec.slot);
    return transport;
  }

  /**
   * Puts an instance on its slot's session: on its host, or, that host dropped, on the least
   * busy one left, which is the slot's host from then on.
   */
  #place(transport: SshTransport, slot: number): void {
    if (transport.ended) return;
    let host = this.#slotHosts[slot - 1]!;
    if (host.state === 'dropped') {
      const left = this.#hosts.filter((h) => h.state !== 'dropped');
      if (left.length === 0) {
        transport.fail(this.#noHostLeft().message);
        return;
      }
      host = left.reduce((a, b) => (b.sessions < a.sessions ? b : a));
      // Picked again for each instance, the slot's own session made its host the busier: the
      // next went to another host, and each per-block instance opened a session there.
      this.#slotHosts[slot - 1] = host;
    }
    if (host.state === 'reconnecting') {
      host.waiters.push(() => this.#place(transport, slot));
      return;
    }
    let session = this.#sessions.get(slot);
    if (session === undefined || !session.alive || session.host !== host) {
      void session?.close();
      session = this.#session(host);
      this.#sessions.set(slot, session);
    }
    transport.attach(session);
  }

  /** A session ended under its instance: the host is reconnected, or dropped. */
  #lost(session: Session, reason: string, hung: boolean): void {
    const host = session.host;
    if (host.state !== 'up') return;
    host.failures++;
    if (hung || host.failures >= HOST_FAILURES || host.spec.local) {
      this.#drop(host, reason);
      return;
    }
    this.#reporter.log(`host ${host.name}: ${reason}; connecting again`);
    host.state = 'reconnecting';
    host.kill();
    void host.connect().then((result) => {
      if (host.state !== 'reconnecting' || this.#closing) return;
      if (result.kind === 'up') host.state = 'up';
      else
        this.#drop(
          host,
          result.reason === reason ? reason : `${reason}; cannot connect again: ${result.reason}`,
        );
      for (const wake of host.waiters.splice(0)) wake();
    });
  }

  #drop(host: HostConnection, reason: string): void {
    host.state = 'dropped';
    host.dropReason = reason;
    this.#dropped.push(host);
    host.kill();
    // Each stays its slot's session until the slot is placed again: what its ssh wrote before it
    // was killed is read after this, and named by this host (`hostOf`), not the slot's first.
    for (const session of this.#sessions.values()) if (session.host === host) session.kill();
    this.#reporter.say(`host ${host.name} dropped for the rest of the run: ${reason}`);
    for (const wake of host.waiters.splice(0)) wake();
  }

  /**
   * Every host dropped: each named with why, `h1: <reason>; h2: <reason>`. Not in parentheses,
   * `h1 (<reason>)`: reasons end in their own (`(--host-timeout)`) or in ssh's full stop
   * (`Permission denied (publickey).`), which read `))` and `).)` there.
   */
  #noHostLeft(): ManifoldError {
    const named = this.#hosts
      .map((host) => `${host.name}: ${host.dropReason.replace(/\.$/, '')}`)
      .join('; ');
    return new ManifoldError('manifold.failure', `no host is left: ${named}`, {
      exitCode: ExitCode.failure,
    });
  }

  /** Ends every session and connection, waiting for their processes; removes the sockets' folder. */
  async close(): Promise<void> {
    this.#closing = true;
    // Those of a dropped host were killed with it.
    const sessions = [...this.#sessions.values()].filter((s) => s.host.state !== 'dropped');
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.close()));
    // The run's folder goes; with --cleanup, what the run shipped too.
    if (this.#items.length > 0) {
      // Over a connection still up only: ssh without its master makes a connection of its own,
      // which to a host that hangs waits as long as ssh's ConnectTimeout says (for ever), and
      // after a stop while shipping (its connections killed) held manifold's exit that long.
      const reachable = this.#hosts.filter(
        (host) => host.state !== 'dropped' && !host.spec.local && host.connections > 0,
      );
      const { cleanup, hostTimeout, hostTimeoutOption } = this.#settings;
      await Promise.all(
        reachable.map(async (host) => {
          const shipped = cleanup ? host.shipped : [];
          const failed = await removeFrom(host, shipped, this.#run, hostTimeout, hostTimeoutOption);
          if (failed !== null) {
            this.#reporter.say(
              `host ${host.name}: cannot remove this run's folder there: ${failed}`,
            );
          }
        }),
      );
      // A host dropped since (hung, its link down) is not asked: said, as one not answering.
      const left = `(runs/${this.#run} in its manifold cache): the host was dropped`;
      for (const host of this.#shippedTo.filter((h) => h.state === 'dropped'))
        this.#reporter.say(`host ${host.name}: cannot remove this run's folder there ${left}`);
    }
    await Promise.all(this.#hosts.map((host) => host.close()));
    rmSync(this.#controlDir, { recursive: true, force: true });
  }
}
