import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Framing } from '../../filters/index.js';
import { InputReader } from '../fan/input.js';
import { createOutputSink } from '../fan/output.js';
import { roomIn } from '../fan/output-stream.js';
import { RecordSeam } from '../fan/seam.js';
import { WholeRecords } from '../fan/whole.js';
import { reasonInWords, systemReason } from '../options/inputs.js';
import type { NodeBytes, NodeEnd, RunningNode } from './node.js';
import { closeAll } from './pipes.js';

type Sink = ReturnType<typeof createOutputSink>;

/**
 * Combines branch outputs into one stream: `concat` in branch order (the first streams through;
 * the others are spooled to temporary files, on disk rather than in memory, until their turn),
 * or `merge` as they become ready, in whole records.
 */
export class CombineNode implements RunningNode {
  readonly label: string;
  readonly description: string;
  readonly pids: number[] = [];
  readonly ended: Promise<NodeEnd>;
  readonly #inputs: InputReader[];
  /** The branches' pipes, read by `#inputs` (whose sockets close them once reading starts). */
  readonly #fds: number[];
  readonly #sink: Sink;
  /** Aborted by `stop`: a wait for the output's room ends with it. */
  readonly #stopped = new AbortController();
  /** Why the output failed (a full disk): the inputs are let go, the node fails with it. */
  #outputError: string | null = null;
  /** Bytes read of each branch, and written to the output: for --stats. */
  readonly #byInput: number[];
  #written = 0;

  constructor(
    label: string,
    mode: 'concat' | 'merge',
    inputs: number[],
    output: number,
    framing: Framing,
  ) {
    this.label = label;
    this.description = `${mode} of ${inputs.length} branches`;
    this.#fds = inputs;
    this.#inputs = inputs.map((fd) => new InputReader(null, fd));
    this.#byInput = inputs.map(() => 0);
    this.#sink = createOutputSink(output);
    this.#sink.on('error', (error: Error) => {
      this.#outputError = `cannot write ${output === 1 ? 'stdout' : 'its output'}: ${reasonOf(error)}`;
      for (const input of this.#inputs) input.close();
    });
    // A reader gone (EPIPE) lets the branches go as well, as a closed pipe would: they end by
    // SIGPIPE, and the stream before them in turn. Read on, the bytes would only be thrown
    // away (or, for concat, spooled to disk), for as long as the stream lasts.
    this.#sink.on('closed', () => {
      for (const input of this.#inputs) input.close();
    });
    this.ended = (mode === 'concat' ? this.#concat() : this.#merge(framing)).then(
      async () => this.#finish(),
      async (error: Error) => this.#finish(error.message),
    );
  }

  bytes(): NodeBytes {
    const byInput = [...this.#byInput];
    return { read: byInput.reduce((a, b) => a + b, 0), written: this.#written, byInput };
  }

  stop(): void {
    this.#stopped.abort();
    for (const input of this.#inputs) input.close();
  }

  async #finish(error?: string): Promise<NodeEnd> {
    // Stopped by a signal, its inputs were cut short: that is the signal's doing, not an error.
    // Nor does it wait then for a reader that may have stopped reading to take what is queued.
    if (this.#stopped.signal.aborted) error = undefined;
    else await this.#sink.finish();
    if (this.#outputError !== null && !this.#stopped.signal.aborted) error = this.#outputError;
    const closedOutput = this.#sink.closed;
    this.#sink.close();
    return { exitCode: error ? 1 : 0, signal: null, closedOutput, error, endedAt: Date.now() };
  }

  /** Waits while the output is behind: the inputs wait too. */
  #room = async (): Promise<void> => {
    await roomIn(this.#sink, this.#stopped.signal);
  };

  async #concat(): Promise<void> {
    let folder: string;
    try {
      folder = mkdtempSync(join(tmpdir(), 'manifold-concat-'));
    } catch (error) {
      // The branches after the first have nowhere to wait: all are let go, their pipes closed
      // before any was read (they end by SIGPIPE, and the stream before them in turn), where they
      // waited on full pipes for ever.
      for (const input of this.#inputs) input.close();
      closeAll(this.#fds);
      throw new Error(
        `cannot spool the branches after the first: cannot make a temporary folder in ${tmpdir()}: ${reasonInWords(error)}; set TMPDIR to another folder`,
      );
    }
    const spools = this.#inputs
      .slice(1)
      .map((input, i) => this.#spool(input, i + 1, join(folder, `b${i + 1}`)));
    // Every spool is awaited, even after a failure, so none rejects unheard.
    const settled = Promise.allSettled(spools);
    try {
      await this.#copy(this.#inputs[0]!, 0);
      for (const [i, spool] of spools.entries()) {
        await this.#copyFile(join(folder, `b${i + 1}`), await spool);
      }
    } finally {
      await settled;
      rmSync(folder, { recursive: true, force: true });
    }
  }

  async #merge(framing: Framing): Promise<void> {
    const seam = new RecordSeam(framing);
    const results = await Promise.allSettled(
      this.#inputs.map(async (input, i) => {
        const whole = new WholeRecords(framing);
        for await (const chunk of input.chunks(this.#room)) {
          this.#byInput[i]! += chunk.length;
          this.#write(seam.join(whole.push(chunk)));
        }
        this.#write(seam.join(whole.end()));
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    this.#write(seam.end());
  }

  /** Writes `parts` to the output, counted. */
  #write(parts: Buffer[]): void {
    for (const part of parts) this.#written += part.length;
    this.#sink.write(parts);
  }

  /** Copies branch `index`'s output to the output. */
  async #copy(input: InputReader, index: number): Promise<void> {
    for await (const chunk of input.chunks(this.#room)) {
      this.#byInput[index]! += chunk.length;
      this.#write([chunk]);
    }
  }

  /** Writes branch `index`'s output to `file`; resolves with its size. */
  async #spool(input: InputReader, index: number, file: string): Promise<number> {
    let bytes = 0;
    const byInput = this.#byInput;
    async function* counted(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        bytes += chunk.length;
        byInput[index]! += chunk.length;
        yield chunk;
      }
    }
    try {
      await pipeline(
        counted(input.chunks(async () => {})),
        createWriteStream(file, { mode: 0o600 }),
      );
      return bytes;
    } catch (error) {
      throw new Error(`cannot spool a branch: ${reasonOf(error as Error)}`);
    } finally {
      // A branch whose spool failed ends by SIGPIPE, instead of waiting for a reader for ever.
      input.close();
    }
  }

  /** Copies a spool of `bytes` bytes to the output: one cut short under it is an error. */
  async #copyFile(file: string, bytes: number): Promise<void> {
    if (bytes === 0) return;
    let read = 0;
    const options = { highWaterMark: 1024 * 1024, end: bytes - 1 };
    for await (const chunk of createReadStream(file, options)) {
      await this.#room();
      read += (chunk as Buffer).length;
      this.#write([chunk as Buffer]);
    }
    if (read < bytes) {
      throw new Error(
        `cannot read back a branch's spool: ${file} is shorter than what was written to it`,
      );
    }
  }
}

/** `no space left on device`, from `ENOSPC: no space left on device, write`. */
function reasonOf(error: Error): string {
  return systemReason(error) ?? error.message;
}
