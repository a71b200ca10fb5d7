import { viewOf } from '../../filters/framing/view.js';
import { parseJsonText } from '../../filters/json-text.js';
import {
  type Bounds,
  fieldBounds,
  jsonKeyText,
  type KeySpec,
  valueAt,
} from '../../filters/keys.js';

/**
 * Cuts a table record into its key and its value by key specs, with no copy where the framing
 * gives bytes: a field is a view of the record. A JSON record is parsed once for both.
 */
export class RecordParts {
  key: Buffer = EMPTY;
  value: Buffer = EMPTY;
  /** Whether the key's part was in the record at all (a field past the last is not). */
  keyFound = false;
  /** Where the key and the value start in the record, or -1 when they are not its bytes (JSON). */
  keyAt = -1;
  valueAt = -1;
  readonly #key: KeySpec;
  readonly #value: KeySpec;
  readonly #bounds: Bounds = { start: 0, end: 0 };
  readonly #json: boolean;
  /** Where the last part `#part` found starts in the record; -1 for JSON. */
  #at = -1;

  constructor(key: KeySpec, value: KeySpec) {
    this.#key = key;
    this.#value = value;
    this.#json = key.kind === 'json' || value.kind === 'json';
  }

  /** Sets `key`, `keyFound` and `value` for a record; throws a SyntaxError for bad JSON. */
  cut(record: Buffer): void {
    const parsed: unknown = this.#json ? parseJsonText(record.toString('utf8')) : undefined;
    this.#cutKey(record, parsed);
    const value = this.#part(this.#value, record, parsed, true);
    this.valueAt = value === undefined ? -1 : this.#at;
    this.value = value ?? (this.#value.kind === 'json' ? NULL_TEXT : EMPTY);
  }

  #cutKey(record: Buffer, parsed: unknown): void {
    const key = this.#part(this.#key, record, parsed, false);
    this.keyFound = key !== undefined;
    this.keyAt = key === undefined ? -1 : this.#at;
    this.key = key ?? EMPTY;
  }

  /**
   * A part of the record by spec: a field's bytes, the record, or a JSON value. A JSON key is
   * its text as the rest of manifold takes it (a string as it is); a JSON value is JSON text,
   * so `getJSON` reads any of them back. `undefined` when the part is not there: a missing
   * value is empty (a field) or `null` (JSON).
   */
  #part(spec: KeySpec, record: Buffer, parsed: unknown, asJson: boolean): Buffer | undefined {
    switch (spec.kind) {
      case 'whole':
        this.#at = 0;
        return record;
      case 'field': {
        const bounds = this.#bounds;
        fieldBounds(record, 0, record.length, spec.index, spec.separator, bounds);
        if (bounds.start === record.length && !this.#fieldEndsAt(record, spec)) return undefined;
        this.#at = bounds.start;
        return viewOf(record, bounds.start, bounds.end - bounds.start);
      }
      case 'json': {
        const found = valueAt(parsed, spec.path);
        if (found === undefined) return undefined;
        this.#at = -1;
        const text = asJson ? JSON.stringify(found) : jsonKeyText(found, spec);
        return Buffer.from(text, 'utf8');
      }
    }
  }

  /**
   * Whether field N exists though it is empty and last (`a\t` has an empty field 2 under a TAB
   * separator); `fieldBounds` reports a missing field the same way.
   */
  #fieldEndsAt(record: Buffer, spec: Extract<KeySpec, { kind: 'field' }>): boolean {
    if (spec.separator === null) return false;
    let count = 1;
    for (let at = record.indexOf(spec.separator); at >= 0; ) {
      count++;
      at = record.indexOf(spec.separator, at + spec.separator.length);
    }
    return count >= spec.index;
  }
}

const EMPTY = Buffer.alloc(0);
const NULL_TEXT = Buffer.from('null');
