import {
  createDecoder,
  type KeySpec,
  keyOf,
  type RecordDecoder,
  RecordEncoder,
  RecordError,
} from '../../filters/index.js';
import type { Worker } from '../workers/types.js';
import type { Block } from './block.js';
import type { Collector, Emit } from './collect.js';
import type { FanOptions } from './options.js';

interface Source {
  worker: Worker;
  decoder: RecordDecoder;
  records: Buffer[];
  /** Index of the next record to merge from `records`. */
  next: number;
  ended: boolean;
  last: Buffer | null;
  number: number;
}

/**
 * `--merge sorted`: each worker's output is sorted by the key; manifold merges them into one
 * sorted stream, like `sort -m`. A record can only be written once every worker still running
 * has offered one to compare with. A worker whose output is out of order stops the run with an
 * error naming it, rather than giving unsorted output.
 */
export class SortedCollector implements Collector {
  readonly #key: KeySpec;
  readonly #compare: (a: Buffer, b: Buffer) => number;
  readonly #emit: Emit;
  readonly #sources = new Map<Worker, Source>();
  readonly #encoder: RecordEncoder;
  #lastWorker: Worker | null = null;
  readonly #tag: boolean;

  constructor(options: FanOptions, workers: Worker[], emit: Emit) {
    this.#key = options.key;
    this.#emit = emit;
    this.#tag = options.tag;
    this.#encoder = new RecordEncoder(options.outputFraming);
    const byKey = options.numeric ? compareNumeric : Buffer.compare;
    const sign = options.reverse ? -1 : 1;
    this.#compare = (a, b) => sign * byKey(keyOf(this.#key, a), keyOf(this.#key, b));
    for (const worker of workers) {
      this.#sources.set(worker, {
        worker,
        decoder: createDecoder(options.outputFraming, {
          input: `worker ${worker.slot}`,
          maxRecord: options.maxRecord,
        }),
        records: [],
        next: 0,
        ended: false,
        last: null,
        number: 0,
      });
    }
  }

  output(worker: Worker, chunk: Buffer): void {
    const source = this.#sources.get(worker)!;
    if (source.next === source.records.length) {
      source.records = [];
      source.next = 0;
    }
    source.decoder.push(chunk, source.records);
    this.#merge();
  }

  blockOutput(worker: Worker, _block: Block, chunk: Buffer): void {
    this.output(worker, chunk);
  }

  blockDone(): void {}

  blockFailed(): void {}

  blockLost(): void {}

  trailing(worker: Worker, chunk: Buffer): void {
    this.output(worker, chunk);
  }

  workerEnded(worker: Worker): void {
    const source = this.#sources.get(worker)!;
    if (source.ended) return;
    source.decoder.end(source.records);
    source.ended = true;
    this.#merge();
  }

  mayStart(): boolean {
    return true;
  }

  finish(): void {
    this.#merge();
    this.#flush();
  }

  /** Writes records while every source still running has one to compare. */
  #merge(): void {
    const sources = [...this.#sources.values()];
    for (;;) {
      let best: Source | null = null;
      for (const source of sources) {
        if (source.next < source.records.length) {
          if (
            best === null ||
            this.#compare(source.records[source.next]!, best.records[best.next]!) < 0
          ) {
            best = source;
          }
        } else if (!source.ended) {
          this.#flush();
          return;
        }
      }
      if (best === null) break;
      const record = best.records[best.next++]!;
      this.#check(best, record);
      // Tagged output is written a worker at a time, so each record gets its worker's tag.
      if (this.#tag && this.#lastWorker !== null && this.#lastWorker !== best.worker) this.#flush();
      this.#lastWorker = best.worker;
      this.#encoder.add(record);
    }
    this.#flush();
  }

  #check(source: Source, record: Buffer): void {
    source.number++;
    if (source.last !== null && this.#compare(source.last, record) > 0) {
      throw new RecordError(
        { input: `worker ${source.worker.slot} output`, record: source.number },
        'not sorted by the key: --merge sorted needs every worker to write sorted output',
      );
    }
    source.last = record;
  }

  #flush(): void {
    const parts = this.#encoder.take();
    if (parts.length > 0 && this.#lastWorker !== null) this.#emit(this.#lastWorker, parts);
  }
}

/** Numeric order of keys that are numbers, as `sort -n`: a key that is not one counts as 0. */
function compareNumeric(a: Buffer, b: Buffer): number {
  const x = Number.parseFloat(a.toString('latin1')) || 0;
  const y = Number.parseFloat(b.toString('latin1')) || 0;
  return x < y ? -1 : x > y ? 1 : Buffer.compare(a, b);
}
