import type { Command } from 'commander';
import type { Framing } from '../framing/spec.js';
import type { Table } from '../tables/open.js';

/** How a filter receives its records. */
export type RecordKind = 'buffer' | 'text' | 'json';

/** The record type for a kind: a Buffer view, a string decoded from UTF-8, or a parsed JSON value. */
export type RecordOf<K extends RecordKind> = K extends 'text'
  ? string
  : K extends 'json'
    ? unknown
    : Buffer;

/**
 * What a transform returns: `undefined` or `null` drops the record; an array gives several
 * records; anything else is one record. A Buffer is written as it is, a string as UTF-8, any
 * other value as JSON.
 */
export type Output = unknown;

/** What a filter's functions see. */
export interface FilterContext<S = unknown> {
  /** The filter's name, as in its error messages. */
  readonly name: string;
  /** The parsed options, by commander's camel-cased names (`--max-record` is `maxRecord`). */
  readonly options: Record<string, unknown>;
  /** The positional arguments. */
  readonly args: string[];
  /** The input and output framings in force, after `--split` and `--join`. */
  readonly split: Framing;
  readonly join: Framing;
  /** The input's name in messages. @default 'stdin' */
  readonly input: string;
  /** The 1-based number of the record being transformed (the first of a batch). */
  recordNumber: number;
  /** Whatever `setup` keeps for the other functions. */
  state: S;
  /** The names of the tables given with `--table`, in order (for filters that declare `tables`). */
  readonly tables: readonly string[];
  /**
   * A shared table by name (docs/tables.md): the one given as `--table NAME=PATH`, else the path
   * in `MANIFOLD_TABLE_<NAME>` (in a fan worker of a sharded table, its own shard only). Opened
   * once; declared tables are opened before `setup`, so a missing one fails at start.
   */
  table(name: string): Table;
}

/**
 * The command line as a filter's `split` and `records` functions see it: its options and
 * arguments, and its tables (open already), so a default may come from a table's own key.
 */
export interface CommandLine {
  readonly options: Record<string, unknown>;
  readonly args: readonly string[];
  /**
   * The input framing: for `split`, the one given with `--split`, if any; for `records`, the one
   * in force, or `undefined` while the default framing is chosen (from JSON records, ndjson).
   */
  readonly split: Framing | undefined;
  /** As in `FilterContext`: the tables given with `--table`, and a table by name. */
  readonly tables: readonly string[];
  table(name: string): Table;
}

/** A filter, declared once: its command line, its framings and what it does to records. */
export interface FilterSpec<K extends RecordKind = 'buffer', S = unknown> {
  /** The command's name, used in `--help` and error messages. */
  name: string;
  /** One line for `--help`. */
  description?: string;
  /** The version for `--version`. @default manifold's version */
  version?: string;
  /**
   * How records are given to `transform` and `batch`; a function decides from the parsed options
   * (as `mf-map --json` does) and the command line (as `mf-join` does: JSON under ndjson).
   * @default 'buffer'
   */
  records?: K | ((options: Record<string, unknown>, line: CommandLine) => K);
  /**
   * The input framing, overridable with `--split`; a function decides from the command line (as
   * `mf-reduce` does: ndjson for a `json:` key), `undefined` leaving the default. Under
   * `manifold fan --protocol manifold`, it is read when it ends records where manifold's blocks
   * end (ndjson and lines do), else the blocks' framing is (docs/filters.md).
   * @default 'lines' ('ndjson' when records is 'json')
   */
  split?: string | ((line: CommandLine) => string | undefined);
  /** The output framing, overridable with `--join`. @default the input framing */
  join?: string;
  /**
   * The names of the shared tables the filter reads with `context.table(name)`. Declaring the
   * list (even empty) gives the filter the repeatable `--table <NAME=PATH|PATH|NAME>` option.
   */
  tables?: readonly string[];
  /** Adds arguments and options to the command (commander), before it parses the command line. */
  configure?(command: Command): void;
  /** Runs once after the command line is parsed: validate, compile, open what the filter needs. */
  setup?(context: FilterContext<S>): void | Promise<void>;
  /** Runs on every record. Without it and without `batch`, records pass unchanged. */
  transform?(record: RecordOf<K>, context: FilterContext<S>): Output | Promise<Output>;
  /**
   * Runs on the records of each read, for filters that gain from seeing many at once. Returns the
   * output records, each element one (an array element is one JSON record); `undefined` and
   * `null` entries are dropped. Takes precedence over `transform`.
   */
  batch?(records: RecordOf<K>[], context: FilterContext<S>): Output[] | Promise<Output[]>;
  /** Runs once at the end of input; what it returns is written like a transform's output. */
  flush?(context: FilterContext<S>): Output | Promise<Output>;
  /**
   * Whether the filter may keep a Buffer record, or a view of one, past the `transform` or
   * `batch` call that got it (to `flush`, in its state). `false` promises it keeps none (it
   * copies what it keeps: `Buffer.from(record)`, `record.toString()`), and lets a process read
   * its next input into the same memory instead of fresh memory, which makes a light filter
   * faster (docs/filters.md, "Records"). Text and JSON records are copies already: no
   * difference for them. @default true
   */
  keepsRecords?: boolean;
}
