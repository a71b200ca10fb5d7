import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { FrameError } from '../workers/frame/index.js';
import type { ItemMessage } from '../workers/shipment.js';
import { itemPath } from './cache.js';

/**
 * Writes items into a cache folder by content hash (`<root>/<hash>/data`): each is written
 * beside its place under a name of this process's, and renamed into place once whole, so that
 * no reader sees part of one, and two processes writing the same item at once both end with one
 * whole copy. Used by `manifold worker --receive` (SSH hosts) and by queue workers fetching
 * tables from the Object Store.
 */
export class CacheWriter {
  /** The items (by index) the cache lacks: only their files are written. */
  readonly missing: readonly number[];
  readonly #root: string;
  readonly #items: readonly ItemMessage[];
  #open: { item: number; file: number; fd: number } | null = null;

  constructor(root: string, items: readonly ItemMessage[]) {
    this.#root = root;
    this.#items = items;
    mkdirSync(root, { recursive: true });
    this.missing = items.flatMap((item, i) => (existsSync(itemPath(root, item.hash)) ? [] : [i]));
    for (const i of this.missing) {
      const item = items[i]!;
      const base = this.#data(item);
      rmSync(this.#temporary(item), { recursive: true, force: true });
      mkdirSync(item.folder ? base : dirname(base), { recursive: true });
      // Empty files get no bytes: they are made now.
      for (const file of item.files) {
        const path = item.folder ? join(base, file.rel) : base;
        mkdirSync(dirname(path), { recursive: true });
        closeSync(openSync(path, 'w', file.mode));
      }
    }
  }

  /** Appends `payload` to file `file` of item `item`. */
  write(item: number, file: number, payload: Buffer): void {
    const shipped = this.#items[item];
    const entry = shipped?.files[file];
    if (shipped === undefined || entry === undefined || !this.missing.includes(item)) {
      throw new FrameError(`a Block for no file asked for (item ${item}, file ${file})`);
    }
    if (this.#open === null || this.#open.item !== item || this.#open.file !== file) {
      this.#close();
      const base = this.#data(shipped);
      this.#open = { item, file, fd: openSync(shipped.folder ? join(base, entry.rel) : base, 'a') };
    }
    writeSync(this.#open.fd, payload);
  }

  /**
   * Checks every missing item's files have all their bytes, and renames each into place. Another
   * process's copy that got there first is kept: it is as good.
   */
  finish(): void {
    this.#close();
    for (const i of this.missing) {
      const item = this.#items[i]!;
      const base = this.#data(item);
      for (const file of item.files) {
        const size = statSync(item.folder ? join(base, file.rel) : base).size;
        if (size !== file.size)
          throw new FrameError(
            `${file.rel || 'the file'} of item ${item.hash} came with ${size} bytes of ${file.size}`,
          );
      }
      try {
        renameSync(this.#temporary(item), join(this.#root, item.hash));
      } catch (error) {
        rmSync(this.#temporary(item), { recursive: true, force: true });
        if (!existsSync(itemPath(this.#root, item.hash))) throw error;
      }
    }
  }

  /** Removes what was written: the items stay missing. */
  abandon(): void {
    this.#close();
    for (const i of this.missing)
      rmSync(this.#temporary(this.#items[i]!), { recursive: true, force: true });
  }

  #temporary(item: ItemMessage): string {
    return join(this.#root, `${item.hash}.tmp-${process.pid}`);
  }

  #data(item: ItemMessage): string {
    return join(this.#temporary(item), 'data');
  }

  #close(): void {
    if (this.#open !== null) closeSync(this.#open.fd);
    this.#open = null;
  }
}
