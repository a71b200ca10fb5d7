import { endsOnBoundary } from '../../filters/framing/boundary.js';
import type { Framing } from '../../filters/index.js';

/**
 * Where the output's records meet. Collectors hand over whole records, the last of a worker's
 * (or a block's) output perhaps without its delimiter: it goes out as it is, so that `fan -- cat`
 * gives back its input byte for byte. Only when more output follows does its delimiter go in
 * between, so that two workers' records never run together. Decided here, once, for every
 * merge mode, where the output is written.
 */
export class RecordSeam {
  readonly #framing: Framing;
  readonly #delimiter: Buffer | null;
  /** True when the output so far ends inside a record. */
  #open = false;

  constructor(framing: Framing) {
    this.#framing = framing;
    this.#delimiter = framing.kind === 'delimited' ? framing.delimiter : null;
  }

  /** `parts` as they are to be written: after the delimiter the last record lacked, if it did. */
  join(parts: Buffer[]): Buffer[] {
    if (this.#delimiter === null || !parts.some((part) => part.length > 0)) return parts;
    const out = this.#open ? [this.#delimiter, ...parts] : parts;
    this.#open = !endsOnBoundary(parts, this.#framing);
    return out;
  }
}
