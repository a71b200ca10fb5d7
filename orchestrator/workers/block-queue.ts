import type { Block } from './block.js';

/**
 * Blocks in order, first in first out, with their bytes summed as they come and go: the blocks
 * waiting for a worker (dispatch.ts), and a worker's blocks given and not yet finished. Taking
 * the first is constant time however many wait: an array's `shift` moves every element once
 * the array is past ~16K entries (V8 cannot trim a large array at its front), and `--block 16`
 * puts some 65K blocks in the queue from one 1 MiB read, and ~100K in flight to a fast
 * one-to-one worker, each taken one at a time. Slots taken are let go at once, and compacted
 * now and then.
 */
export class BlockQueue {
  #blocks: (Block | undefined)[] = [];
  #head = 0;
  #bytes = 0;

  /** How many blocks it holds. */
  get length(): number {
    return this.#blocks.length - this.#head;
  }

  /** Their bytes, summed. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The oldest, or undefined. */
  get first(): Block | undefined {
    return this.#blocks[this.#head];
  }

  push(block: Block): void {
    this.#blocks.push(block);
    this.#bytes += block.bytes;
  }

  /** Takes the oldest out. */
  shift(): Block | undefined {
    if (this.#head === this.#blocks.length) return undefined;
    const block = this.#blocks[this.#head]!;
    this.#blocks[this.#head++] = undefined;
    this.#bytes -= block.bytes;
    if (this.#head === this.#blocks.length) {
      this.#blocks = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && 2 * this.#head >= this.#blocks.length) {
      this.#blocks = this.#blocks.slice(this.#head);
      this.#head = 0;
    }
    return block;
  }

  /** Takes `block` out, wherever it is (protocol workers may finish out of turn). */
  remove(block: Block): void {
    if (block === this.first) {
      this.shift();
      return;
    }
    const at = this.#blocks.indexOf(block, this.#head);
    if (at === -1) return;
    this.#blocks.splice(at, 1);
    this.#bytes -= block.bytes;
  }

  includes(block: Block): boolean {
    return this.#blocks.indexOf(block, this.#head) !== -1;
  }

  /** The block with this sequence number, if it holds one. */
  find(seq: number): Block | undefined {
    for (let i = this.#head; i < this.#blocks.length; i++)
      if (this.#blocks[i]!.seq === seq) return this.#blocks[i];
    return undefined;
  }

  /** Puts `blocks` back at the front, in their order. */
  unshift(blocks: readonly Block[]): void {
    const rest = this.#blocks.slice(this.#head);
    this.#blocks = [...blocks, ...rest];
    this.#head = 0;
    for (const block of blocks) this.#bytes += block.bytes;
  }

  /** All of them, oldest first, as an array of their own. */
  toArray(): Block[] {
    return this.#blocks.slice(this.#head) as Block[];
  }

  /** Takes them all out: returns them, oldest first. */
  clear(): Block[] {
    const all = this.toArray();
    this.#blocks = [];
    this.#head = 0;
    this.#bytes = 0;
    return all;
  }
}

/** What the fan reads of a worker's blocks in flight (`Worker.inFlight`). */
export interface ReadonlyInFlight {
  readonly length: number;
  /** The oldest, or undefined. */
  readonly first: Block | undefined;
  includes(block: Block): boolean;
}

/** Blocks in flight held in an array of their own, read as `ReadonlyInFlight`. */
export function inFlightOf(blocks: readonly Block[]): ReadonlyInFlight {
  return { length: blocks.length, first: blocks[0], includes: (block) => blocks.includes(block) };
}
