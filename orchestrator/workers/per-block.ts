import type { Block } from './block.js';
import { PauseReasons } from './pause.js';
import { type CommandSpec, type StderrMode, spawnWorker, type WorkerProcess } from './spawn.js';
import type { Worker, WorkerListener } from './types.js';

export interface PerBlockOptions {
  slot: number;
  command: CommandSpec;
  stderr: StderrMode;
  listener: WorkerListener;
}

/**
 * A slot that runs a fresh process for each block, one block at a time, as `parallel --pipe`
 * does: everything the process writes belongs to its block, and the process's end ends it.
 */
export class PerBlockWorker implements Worker {
  readonly slot: number;
  readonly pids: number[] = [];
  readonly #options: PerBlockOptions;
  #process: WorkerProcess | null = null;
  #block: Block | null = null;
  #inputEnded = false;
  #ended = false;
  #stopped = false;
  readonly #pauses = new PauseReasons();

  constructor(options: PerBlockOptions) {
    this.slot = options.slot;
    this.#options = options;
  }

  get backlog(): number {
    return this.#block === null ? 0 : this.#block.bytes;
  }

  get ready(): boolean {
    return !this.#ended && !this.#inputEnded && this.#block === null;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get inFlight(): readonly Block[] {
    return this.#block === null ? [] : [this.#block];
  }

  send(block: Block): void {
    const { command, stderr, listener } = this.#options;
    const child = spawnWorker(command, stderr);
    this.#process = child;
    this.#block = block;
    if (child.pid > 0) this.pids.push(child.pid);
    child.stdout.on('data', (chunk: Buffer) => listener.onBlockOutput(this, block, chunk));
    if (this.#pauses.paused) child.stdout.pause();
    child.stdin.cork();
    for (const part of block.parts) child.stdin.write(part);
    child.stdin.end();
    child.stdin.uncork();
    void child.exited.then(({ exitCode, signal, startError }) => {
      this.#process = null;
      this.#block = null;
      const failed = exitCode !== 0 || this.#stopped;
      // Being told the block is done may already start the next one in this slot.
      if (!failed) listener.onBlockDone(this, block);
      const idle = this.#block === null;
      if (idle && (this.#inputEnded || this.#stopped)) this.#ended = true;
      listener.onExit(
        this,
        {
          pid: child.pid > 0 ? child.pid : undefined,
          exitCode,
          signal,
          stopped: this.#stopped,
          ...(startError === undefined ? {} : { startError }),
        },
        failed ? [block] : [],
      );
      if (idle && !this.#ended) listener.onReady(this);
    });
  }

  end(): void {
    this.#inputEnded = true;
    if (this.#block === null && !this.#ended) {
      this.#ended = true;
      this.#options.listener.onExit(
        this,
        { pid: undefined, exitCode: 0, signal: null, stopped: false },
        [],
      );
    }
  }

  pause(reason: string): void {
    if (this.#pauses.add(reason)) this.#process?.stdout.pause();
  }

  resume(reason: string): void {
    if (this.#pauses.remove(reason)) this.#process?.stdout.resume();
  }

  restart(): void {
    this.#ended = false;
    this.#inputEnded = false;
    this.#stopped = false;
  }

  stop(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.#stopped = true;
    this.#inputEnded = true;
    if (this.#process !== null) this.#process.signal(signal);
    else if (!this.#ended) this.end();
  }
}
