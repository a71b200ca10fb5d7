import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { showBytes } from '../../filters/errors.js';
import { isBlankRecord, isJsonFraming } from '../../filters/framing/spec.js';
import { hashBytes } from '../../filters/hash.js';
import { type Framing, type KeySpec, ManifoldError, RecordError } from '../../filters/index.js';
import {
  type DuplicatesPolicy,
  META_FILE,
  shardFile,
  TABLE_FORMAT,
  TABLE_VERSION,
  type TableMeta,
} from '../../filters/tables/meta.js';
import { findFirstRecord } from './first-record.js';
import { inputName, readRecords } from './input.js';
import { RecordParts } from './parts.js';
import {
  checkTarget,
  makeTemporary,
  oldTablePath,
  placeTable,
  removeDeadBuilds,
  removeFolder,
  temporaryPath,
  writeFailure,
} from './place.js';
import { type Place, placeBefore } from './run.js';
import { ShardFiles } from './shard-files.js';
import { DuplicateKey, ShardWriter } from './shard-writer.js';
import { fsyncPath } from './sync.js';
import { LoopTurns, signalsHandled } from './turns.js';

/** The largest key LMDB takes (lmdb's build of it): longer keys are an error. */
export const MAX_KEY_SIZE = 1978;
/** Reader slots in each shard's lock file: one per process reading, whatever -j is. */
export const MAX_READERS = 4096;

/** What `manifold table build` was asked, resolved. */
export interface TableBuildOptions {
  /** Input files; `-` is stdin. */
  inputs: string[];
  /** Where the table goes: a directory, made by the build. */
  output: string;
  key: KeySpec;
  keyText: string;
  value: KeySpec;
  valueText: string;
  fieldSeparator: string | null;
  split: Framing;
  duplicates: DuplicatesPolicy;
  shards: number;
  maxRecord: number;
  /** The most bytes of keys and values held in memory before they are written (all shards). */
  memory: number;
  /** Called after each read with the records and bytes read so far (for --progress). */
  onProgress?: (records: number, bytes: number) => void;
  /** Told of a folder left beside the table that could not be removed (one line, no failure). */
  onLeftover?: (line: string) => void;
}

/**
 * Builds a table: every record's key and value into the shard its key hashes to, in a directory
 * beside the target that is renamed into place at success. Throws a `RecordError` (exit 1) for
 * a record without a usable key or a duplicate under `error`; nothing is left at the target.
 */
export async function buildTable(options: TableBuildOptions): Promise<TableMeta> {
  checkTarget(options.output);
  removeDeadBuilds(options.output, options.onLeftover);
  const temporary = temporaryPath(options.output);
  makeTemporary(temporary, options.output);
  const inputBytes = filesSize(options.inputs);
  const shardOptions = {
    maxReaders: MAX_READERS,
    mapSize: inputBytes === null ? 1024 ** 4 : inputBytes * 4 + 1024 ** 3,
    runBytes: Math.max(1, Math.floor(options.memory / options.shards)),
    // Keys and values take at most the records' bytes; a hash spreads them evenly.
    expectedBytes: inputBytes === null ? 0 : Math.ceil((inputBytes / options.shards) * 1.05),
    files: new ShardFiles(options.output),
    turns: new LoopTurns(),
  };
  const writers: ShardWriter[] = [];
  let written = false;
  try {
    for (let i = 0; i < options.shards; i++) {
      const file = join(temporary, shardFile(i));
      writers.push(new ShardWriter(file, options.output, options.duplicates, shardOptions));
    }
    const counts = await fill(writers, options, shardOptions.turns);
    if (options.duplicates === 'error') {
      for (const writer of writers) await writer.sort();
      throwFirstDuplicate(writers, null);
    }
    for (const writer of writers) await writer.finish();
    written = true;
    counts.duplicates = writers.reduce((sum, writer) => sum + writer.duplicates, 0);
    const meta = tableMeta(writers, counts, temporary, options);
    await signalsHandled();
    try {
      writeFileSync(join(temporary, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
      fsyncPath(join(temporary, META_FILE));
      fsyncPath(temporary);
      placeTable(temporary, options.output);
    } catch (error) {
      throw writeFailure(options.output, error);
    }
    // In place: the old table's removal failing fails no build (it was exit 1, the table new).
    removeFolder(oldTablePath(options.output), 'the old table', options.onLeftover);
    return meta;
  } catch (error) {
    // One shard's duplicate, met as it wrote a run: another may hold one that comes before it.
    const duplicate = error instanceof DuplicateKey ? firstOf(writers, error) : null;
    if (!written) for (const writer of writers) await writer.abandon();
    rmSync(temporary, { recursive: true, force: true });
    throw duplicate !== null ? await duplicateError(duplicate, options) : error;
  }
}

/** The table's `table.json`, from what the build wrote. */
function tableMeta(
  writers: ShardWriter[],
  counts: Counts,
  temporary: string,
  options: TableBuildOptions,
): TableMeta {
  const files = writers.map((_, i) => shardFile(i));
  return {
    format: TABLE_FORMAT,
    version: TABLE_VERSION,
    key: options.keyText,
    fieldSeparator: options.fieldSeparator,
    split: options.split.name,
    value: options.valueText,
    duplicates: options.duplicates,
    shards: options.shards,
    records: counts.records,
    keys: writers.reduce((sum, writer) => sum + writer.keys, 0),
    duplicatesSeen: counts.duplicates,
    bytes: files.reduce((sum, file) => sum + statSync(join(temporary, file)).size, 0),
    builtAt: new Date().toISOString(),
    inputs: options.inputs,
    lmdb: {
      files,
      encoding: 'binary',
      values: options.duplicates === 'all' ? 'list' : 'raw',
      maxReaders: MAX_READERS,
      maxKeySize: MAX_KEY_SIZE,
    },
  };
}

interface Counts {
  records: number;
  duplicates: number;
}

/** Reads every input into the shards. */
async function fill(
  writers: ShardWriter[],
  options: TableBuildOptions,
  turns: LoopTurns,
): Promise<Counts> {
  const parts = new RecordParts(options.key, options.value);
  const shards = writers.length;
  const counts: Counts = { records: 0, duplicates: 0 };
  const skipsBlank = isJsonFraming(options.split);
  let bytes = 0;
  for (const [index, input] of options.inputs.entries()) {
    for await (const read of readRecords(input, options.split, options.maxRecord)) {
      const { records, firstRecord } = read;
      let blank = 0;
      for (let i = 0; i < records.length; i++) {
        const record = records[i]!;
        // Skipped, as every reader of ndjson does; the next record keeps its line's number.
        if (skipsBlank && isBlankRecord(record)) {
          blank++;
          continue;
        }
        try {
          cutRecord(parts, record, input, firstRecord + i, options);
        } catch (error) {
          // A duplicate read before this record is the first problem of the input.
          if (options.duplicates === 'error') {
            throwFirstDuplicate(writers, { source: index, record: firstRecord + i });
          }
          throw error;
        }
        const writer = writers[shards === 1 ? 0 : hashBytes(parts.key) % shards]!;
        if (writer.full(parts)) await writer.writeRun();
        writer.put(record, parts, index, firstRecord + i);
      }
      counts.records += records.length - blank;
      bytes += read.bytes;
      options.onProgress?.(counts.records, bytes);
      await turns.take();
    }
  }
  return counts;
}

/** Throws the duplicate held whose second record comes first (and before `before`, if given). */
function throwFirstDuplicate(writers: ShardWriter[], before: Place | null): void {
  const first = firstOf(writers, null);
  if (first !== null && (before === null || placeBefore(first.second, before))) throw first;
}

/** Of `found` and the duplicates the shards hold, the one whose second record comes first. */
function firstOf(writers: ShardWriter[], found: DuplicateKey | null): DuplicateKey | null {
  let first = found;
  for (const writer of writers) {
    const held = writer.firstDuplicate();
    if (held !== null && (first === null || placeBefore(held.second, first.second))) first = held;
  }
  return first;
}

/** The one-line error for a duplicate key under `--duplicates error`. */
async function duplicateError(
  duplicate: DuplicateKey,
  options: TableBuildOptions,
): Promise<RecordError> {
  const { inputs } = options;
  const key = Buffer.from(duplicate.key);
  const at = (place: Place) => `${inputName(inputs[place.source]!)}:${place.record}`;
  const first =
    duplicate.first === null
      ? await findFirstRecord(inputs.slice(0, duplicate.second.source + 1), key, options)
      : at(duplicate.first);
  const { source, record } = duplicate.second;
  return new RecordError(
    { input: inputName(inputs[source]!), record },
    `duplicate key "${showBytes(key)}", first at ${first ?? 'an earlier record of stdin'} (--duplicates first, last or all take it)`,
  );
}

/** Cuts a record into key and value, or throws the record's error. */
export function cutRecord(
  parts: RecordParts,
  record: Buffer,
  input: string,
  number: number,
  options: TableBuildOptions,
): void {
  const position = { input: inputName(input), record: number };
  try {
    parts.cut(record);
  } catch (error) {
    // The record's own words (a key past 2^53) as they are; JSON.parse's after `not JSON`.
    const message = (error as Error).message;
    const said = error instanceof ManifoldError ? message : `not JSON: ${message}`;
    throw new RecordError(position, said, { cause: error });
  }
  if (!parts.keyFound) throw new RecordError(position, `no key ${options.keyText} in the record`);
  const size = parts.key.length;
  if (size === 0) throw new RecordError(position, `the key ${options.keyText} is empty`);
  if (size > MAX_KEY_SIZE) {
    throw new RecordError(
      position,
      `the key ${options.keyText} is ${size} bytes, more than LMDB's largest key (${MAX_KEY_SIZE} bytes)`,
    );
  }
}

/**
 * The inputs' total size, or null when one is not a file (stdin, a pipe). It sizes each shard's
 * map: LMDB cannot grow the map inside the one transaction, so it is sized up front, four times
 * the input (page headers, half-full pages of later runs) and 1 GiB more, or 1 TiB of address
 * space for a pipe. The file is sparse while it is built and cut to its pages at the end.
 */
function filesSize(inputs: string[]): number | null {
  let total = 0;
  for (const input of inputs) {
    const stat = input === '-' ? null : statSync(input);
    if (stat === null || !stat.isFile()) return null;
    total += stat.size;
  }
  return total;
}
