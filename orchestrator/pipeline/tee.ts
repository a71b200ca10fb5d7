import { Socket } from 'node:net';
import { InputReader } from '../fan/input.js';
import type { NodeEnd, RunningNode } from './node.js';

const HIGH_WATER = 4 * 1024 * 1024;

/**
 * Copies one stream to several branches, like `tee` into process substitutions. It reads on only
 * while every branch keeps up, so memory stays bounded by the slowest. A branch that stops
 * reading (a `head`) is let go; the others go on. When every branch has gone, reading stops, and
 * the writer upstream ends as it would in a shell.
 */
export class TeeNode implements RunningNode {
  readonly label: string;
  readonly description: string;
  readonly pids: number[] = [];
  readonly ended: Promise<NodeEnd>;
  downstream: RunningNode | null = null;
  readonly #input: InputReader;
  readonly #outputs: Socket[];
  #stopped = false;

  constructor(label: string, input: number, outputs: number[]) {
    this.label = label;
    this.description = `copy to ${outputs.length} branches`;
    this.#input = new InputReader(null, input);
    this.#outputs = outputs.map((fd) => {
      const socket = new Socket({ fd, readable: false, writable: true });
      socket.on('error', () => this.#drop(socket));
      return socket;
    });
    this.ended = this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#input.close();
    for (const socket of this.#outputs.splice(0)) socket.destroy();
  }

  async #run(): Promise<NodeEnd> {
    let error: string | undefined;
    try {
      for await (const chunk of this.#input.chunks(() => this.#room())) {
        if (this.#outputs.length === 0) break;
        for (const socket of this.#outputs) socket.write(chunk);
      }
    } catch (failure) {
      if (!this.#stopped) error = `cannot read its input: ${(failure as Error).message}`;
    }
    this.#input.close();
    // Each output ends once its bytes are out, or at once if it was destroyed meanwhile.
    await Promise.all(
      this.#outputs.map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.once('close', () => resolve());
            socket.end();
          }),
      ),
    );
    return {
      exitCode: error ? 1 : 0,
      signal: null,
      closedOutput: false,
      error,
      endedAt: Date.now(),
    };
  }

  /** Waits while a branch is behind. */
  async #room(): Promise<void> {
    for (;;) {
      const full = this.#outputs.find((socket) => socket.writableLength > HIGH_WATER);
      if (full === undefined || this.#stopped) return;
      await new Promise<void>((resolve) => {
        full.once('drain', resolve);
        full.once('close', resolve);
      });
    }
  }

  #drop(socket: Socket): void {
    const index = this.#outputs.indexOf(socket);
    if (index >= 0) this.#outputs.splice(index, 1);
    socket.destroy();
  }
}
