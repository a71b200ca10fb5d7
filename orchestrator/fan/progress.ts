import { formatSize } from '../../filters/index.js';
import type { Worker } from '../workers/types.js';
import type { Reporter } from './options.js';
import type { Stats } from './stats.js';

/**
 * `--progress`: one line on stderr, redrawn four times a second while stderr is a terminal:
 * bytes and records in and out, the input rate, each worker's backlog, on hosts the blocks done
 * on each host, and an ETA when the input's size is known.
 */
export class Progress {
  readonly #stats: Stats;
  readonly #workers: Worker[];
  readonly #total: number | null;
  readonly #timer: NodeJS.Timeout | null;
  readonly #to: Reporter;

  /** Draws on `to` (stderr) only when it is a terminal. */
  constructor(
    stats: Stats,
    workers: Worker[],
    total: number | null,
    to: Reporter = process.stderr,
  ) {
    this.#stats = stats;
    this.#workers = workers;
    this.#total = total;
    this.#to = to;
    this.#timer = to.isTTY ? setInterval(() => this.#draw(), 250) : null;
    this.#timer?.unref();
  }

  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#draw();
    this.#to.write('\n');
  }

  /** The line itself (also used by tests). */
  line(now = Date.now()): string {
    const stats = this.#stats;
    const seconds = Math.max((now - stats.started) / 1000, 0.001);
    const rate = stats.bytesRead / seconds;
    const backlog = this.#workers.map((w) => `${w.slot}:${formatSize(w.backlog)}`).join(' ');
    const hosts = stats.hosts?.list() ?? [];
    const done =
      hosts.length === 0 ? '' : ` | done ${hosts.map((h) => `${h.host}:${h.done}`).join(' ')}`;
    let eta = '';
    if (this.#total !== null && rate > 0) {
      const left = Math.max(this.#total - stats.bytesRead, 0) / rate;
      eta = ` | ETA ${formatDuration(left)}`;
    }
    return (
      `in ${formatSize(stats.bytesRead)} ${stats.recordsRead} rec | ` +
      `out ${formatSize(stats.bytesOut)} ${stats.recordsOut} rec | ` +
      `${formatSize(Math.round(rate))}/s | backlog ${backlog}${done}${eta}`
    );
  }

  #draw(): void {
    this.#to.write(`\r${this.line()}\x1b[K`);
  }
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
