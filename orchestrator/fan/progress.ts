import { Writable } from 'node:stream';
import { formatSize } from '../../filters/index.js';
import type { Worker } from '../workers/types.js';
import type { FanOptions, Reporter } from './options.js';
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
  /** The line is on the terminal, the cursor at its end. */
  #drawn = false;

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
    this.#drawn = false;
  }

  /** Takes the line off the terminal, for a message to start where it was; drawn at the next tick. */
  clear(): void {
    if (!this.#drawn) return;
    this.#to.write('\r\x1b[K');
    this.#drawn = false;
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
    this.#drawn = true;
  }
}

/**
 * `to`, and `log`, taking the progress line off the terminal before each of manifold's own
 * messages, which would otherwise begin at that line's end. Progress draws on `to` itself.
 */
export function beforeProgress(
  to: Reporter,
  log: (message: string) => void,
  progress: () => Progress | null,
): { reporter: Reporter; log: (message: string) => void } {
  const { failure } = to;
  const reporter: Reporter = {
    isTTY: to.isTTY === true,
    write: (text) => {
      progress()?.clear();
      return to.write(text);
    },
    ...(failure !== undefined && {
      failure: (line: string) => {
        progress()?.clear();
        failure.call(to, line);
      },
    }),
  };
  return {
    reporter,
    log: (message) => {
      progress()?.clear();
      log(message);
    },
  };
}

/**
 * The options with the workers' stderr lines that manifold writes itself (--tag's, a thread's)
 * taking the progress line off first, as its own messages do: they began at that line's end
 * (`... ETA 0:002<TAB>warning`). Only where the line is drawn on the command line's stderr.
 */
export function linesPastProgress(
  options: FanOptions,
  to: Reporter,
  progress: () => Progress | null,
): FanOptions {
  const written = options.tag || options.kind === 'thread';
  if (!options.progress || !written || to !== process.stderr || !process.stderr.isTTY)
    return options;
  if (options.workerStderr !== undefined) return options;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      progress()?.clear();
      process.stderr.write(chunk, () => done());
    },
  });
  // A stderr gone takes nothing more: its error is the run's own to see, not this stream's.
  stream.on('error', () => {});
  return { ...options, workerStderr: { stream, tagged: false } };
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
