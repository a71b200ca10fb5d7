import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ExitCode, ManifoldError } from '../../filters/index.js';
import { encodeFrame, FrameKind } from './frame/index.js';

/** One file of an item, by its path inside the item ('' for an item that is one file). */
export interface ShipFile {
  rel: string;
  size: number;
  mode: number;
  /** Where it is here. */
  path: string;
}

/**
 * A thing shipped to every host before its first block: a `--transfer` path (a file or a
 * folder), or a table (`--table`, a folder). Keyed by the hash of its content, so a host that
 * has it already is sent nothing. SSH hosts (ssh/ship.ts) and a queue's Object Store
 * (queue/tables.ts) key and send items alike, so a machine's cache serves both.
 */
export interface ShipItem {
  /** As given: the path the worker sees it at (`--transfer`), or the table's name. */
  name: string;
  kind: 'transfer' | 'table';
  /** A file, or a folder of files. */
  folder: boolean;
  hash: string;
  files: ShipFile[];
  bytes: number;
}

/** What the far side is told of an item: no local paths. */
export type ItemMessage = Omit<ShipItem, 'files'> & { files: Omit<ShipFile, 'path'>[] };

/** The files of `path`, sorted by their path inside it; LMDB's lock files are left out. */
function filesOf(path: string): { folder: boolean; files: ShipFile[] } {
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return { folder: false, files: [{ rel: '', size: stat.size, mode: stat.mode & 0o777, path }] };
  }
  const files: ShipFile[] = [];
  for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' }).sort()) {
    const full = join(path, entry);
    const own = statSync(full);
    if (!own.isFile() || entry.endsWith('-lock')) continue;
    files.push({ rel: relative(path, full), size: own.size, mode: own.mode & 0o777, path: full });
  }
  return { folder: true, files };
}

/** An item of `path`, its content hashed (names, modes and bytes of every file). */
export function shipItem(name: string, kind: ShipItem['kind'], path: string): ShipItem {
  const { folder, files } = filesOf(path);
  const hash = itemHash(folder);
  let bytes = 0;
  for (const file of files) {
    hash.update(fileHeader(file));
    hashFile(hash, file.path);
    bytes += file.size;
  }
  return { name, kind, folder, hash: digestOf(hash), files, bytes };
}

const itemHash = (folder: boolean) => createHash('sha256').update(folder ? 'folder\0' : 'file\0');
const fileHeader = (file: ShipFile) => `${file.rel}\0${file.mode}\0${file.size}\0`;
const digestOf = (hash: Hash) => hash.digest('hex').slice(0, 32);

/** Hashes a file a MiB at a time: a table of gigabytes is never in memory whole. */
function hashFile(hash: Hash, path: string): void {
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

/**
 * An item's files as Block frames (channel: `channel`, seq: the file's index, payloads of at
 * most 1 MiB in order, read from the files as they go); an empty file has none. What is read is
 * hashed again as it goes: an item changed since it was hashed throws after its last frame, so
 * that its receiver is never told it is whole (it would keep other bytes under its hash).
 */
export async function* fileFrames(
  item: ShipItem,
  channel: number,
  run: string,
): AsyncGenerator<Buffer[]> {
  const hash = itemHash(item.folder);
  for (const [seq, file] of item.files.entries()) {
    hash.update(fileHeader(file));
    for await (const chunk of createReadStream(file.path, { highWaterMark: 1024 * 1024 })) {
      hash.update(chunk as Buffer);
      yield encodeFrame({ kind: FrameKind.Block, run, seq, channel, payload: chunk as Buffer });
    }
  }
  if (digestOf(hash) !== item.hash) {
    throw new ShipError(`${describeItem(item)} changed while it was shipped: run again`);
  }
}

/** An item that cannot be shipped as it was announced: exit status 1. */
export class ShipError extends ManifoldError {
  constructor(message: string) {
    super('manifold.io', message, { exitCode: ExitCode.failure });
  }
}

/** What the far side is told of items. */
export const itemMessages = (items: readonly ShipItem[]): ItemMessage[] =>
  items.map(({ files, ...item }) => ({
    ...item,
    files: files.map(({ path: _, ...file }) => file),
  }));

/** `parse.js (1.2 KiB)`, for --verbose. */
export function describeItem(item: ShipItem): string {
  const what = item.kind === 'table' ? `table ${item.name}` : item.name;
  return `${what} (${sizeOf(item.bytes)})`;
}

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
