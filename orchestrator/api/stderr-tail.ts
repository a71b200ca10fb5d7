import { Writable } from 'node:stream';

/** Lines kept of each worker's stderr, and the most of a line kept. */
const KEPT_LINES = 10;
const KEPT_LINE_LENGTH = 500;

/**
 * The library's default for the workers' stderr: nothing reaches the process's stderr, and the
 * last lines each worker wrote are kept, so that a failure's error can show them. Lines come
 * tagged (`2\tgrep: ...`, the fan's --tag prefix) when `tagged`; each worker's are kept apart.
 */
export class StderrTail extends Writable {
  /** Whether lines come after their worker's number and a TAB. */
  readonly tagged: boolean;
  readonly #lines = new Map<string, string[]>();
  #partial = '';

  constructor(tagged: boolean) {
    super({ decodeStrings: true, highWaterMark: 1024 * 1024 });
    this.tagged = tagged;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = this.#partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.#partial = lines.pop()!.slice(0, KEPT_LINE_LENGTH * 2);
    for (const line of lines) this.#keep(line);
    done();
  }

  /**
   * The lines kept, each named by its worker when tagged (`worker 2: grep: ...`): of the
   * workers in `workers` if any wrote, else of all.
   */
  lines(workers: number[] = []): string[] {
    if (this.#partial !== '') {
      this.#keep(this.#partial);
      this.#partial = '';
    }
    const wanted = workers.map(String).filter((slot) => this.#lines.has(slot));
    const slots = wanted.length > 0 ? wanted : [...this.#lines.keys()];
    return slots.flatMap((slot) =>
      this.#lines.get(slot)!.map((line) => (this.tagged ? `worker ${slot}: ${line}` : line)),
    );
  }

  #keep(line: string): void {
    let slot = '';
    let text = line;
    if (this.tagged) {
      const tab = line.indexOf('\t');
      slot = line.slice(0, tab);
      text = line.slice(tab + 1);
    }
    const kept = this.#lines.get(slot) ?? [];
    kept.push(text.length > KEPT_LINE_LENGTH ? `${text.slice(0, KEPT_LINE_LENGTH)}…` : text);
    if (kept.length > KEPT_LINES) kept.shift();
    this.#lines.set(slot, kept);
  }
}
