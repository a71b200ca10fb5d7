import type { Consumer } from '@nats-io/jetstream';
import { askQueue } from '../workers/queue/connect.js';
import { onJobEnded } from '../workers/queue/ended.js';
import { type JobSpec, readSpec } from '../workers/queue/job.js';
import { WORKERS_CONSUMER } from '../workers/queue/names.js';
import type { ServeOptions } from './serve.js';

/** How often a worker looks whether its job is still there, besides hearing of its end. */
const LOOK_MS = 1000;

// Whether the job a queue worker serves (server.ts) is still there: its end heard from the
// server, or found by a look at its description; and its consumer of blocks, while it is.

/** The job served, finished once its coordinator removed it or the worker stopped. */
export class JobWatch {
  readonly #options: ServeOptions;
  readonly #spec: JobSpec;
  /** Told once the job is finished: every slot looks again, and leaves. */
  readonly #ended: () => void;
  #finished = false;

  constructor(options: ServeOptions, spec: JobSpec, ended: () => void) {
    this.#options = options;
    this.#spec = spec;
    this.#ended = ended;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** The job needs nothing more of this worker (finished, or the worker stopped). */
  finish(): void {
    this.#finished = true;
  }

  /**
   * Listens for the job's removal (finished, `| head -1` upstream, `manifold queue rm`), so that
   * the blocks running are stopped at once: only pulls would find it otherwise, and none is made
   * while every slot is busy (a block running for an hour kept its worker that long for a job no
   * longer there). Returns the way to stop listening.
   */
  listen(): () => void {
    const { conn, names } = this.#options;
    const unlisten = onJobEnded(conn, names, () => {
      this.#finished = true;
      this.#ended();
    });
    // What is heard is not a promise (ended.ts): nats-server 2.9.10 sent no advisory for about
    // one removal in forty here, and a worker whose every slot was busy then ran its blocks on
    // for a job no longer there (a block of ten minutes, ten minutes). A look at the job's
    // description every LOOK_MS finds what was not said; one look at a time.
    let looking = false;
    const look = setInterval(() => {
      if (looking || this.#finished) return;
      looking = true;
      this.gone()
        .catch(() => false)
        .finally(() => {
          looking = false;
        });
    }, LOOK_MS);
    return () => {
      clearInterval(look);
      unlisten();
    };
  }

  /**
   * The job's consumer of blocks; null when the job has finished since this worker found it (its
   * coordinator removed its streams while the worker fetched its tables, say): nothing is left
   * to serve, and that is no failure.
   */
  async consumer(): Promise<Consumer | null> {
    const { conn, names } = this.#options;
    try {
      return await askQueue(conn, `the workers' consumer of job "${names.job}"`, () =>
        conn.js.consumers.get(names.blocksStream, WORKERS_CONSUMER),
      );
    } catch (error) {
      if (await this.gone()) return null;
      throw error;
    }
  }

  /** Whether the job is finished: its description gone, or another run's (started afresh). */
  async gone(): Promise<boolean> {
    if (this.#finished) return true;
    const spec = await readSpec(this.#options.conn, this.#options.names).catch(() => this.#spec);
    if (spec === null || spec.run !== this.#spec.run) {
      this.#finished = true;
      // Every slot leaves now, also one that waits for its worker: the job needs nothing more.
      this.#ended();
    }
    return this.#finished;
  }
}
