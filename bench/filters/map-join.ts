#!/usr/bin/env node
import { closeSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * The join that each worker does for itself without shared tables: load the TSV table
 * (`key TAB value` lines) into a Map, then read `key TAB ...` records from stdin and write
 * `record TAB value` for each key found (an inner join, as `mf-join` does by default). Plain
 * Node, 1 MiB reads, no SDK and no error handling (lines must be under 1 MiB): the fastest
 * straightforward way, so that what it costs is the Map's, not the code's.
 * Usage: node map-join.js <table.tsv>
 */
const CHUNK = 1 << 20;

/** Calls `onLine` with each whole line of the file descriptor's text, without its newline. */
function eachLine(fd: number, onLine: (line: string) => void): void {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let kept = 0;
  for (;;) {
    const n = readSync(fd, buffer, kept, buffer.length - kept, null);
    const end = kept + n;
    const last = n === 0 ? end : buffer.lastIndexOf(10, end - 1) + 1;
    if (last > 0) {
      const text = buffer.toString('latin1', 0, last);
      let from = 0;
      for (;;) {
        const newline = text.indexOf('\n', from);
        if (newline < 0) {
          if (from < text.length) onLine(text.slice(from));
          break;
        }
        onLine(text.slice(from, newline));
        from = newline + 1;
      }
    }
    if (n === 0) return;
    kept = end - last;
    buffer.copy(buffer, 0, last, end);
  }
}

const table = new Map<string, string>();
const file = openSync(process.argv[2]!, 'r');
eachLine(file, (line) => {
  const tab = line.indexOf('\t');
  table.set(line.slice(0, tab), line.slice(tab + 1));
});
closeSync(file);

/** Writes all of `bytes` to stdout, which may be a non-blocking pipe (EAGAIN: try again). */
function writeAll(bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(1, bytes, done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

let out: string[] = [];
let size = 0;
eachLine(0, (line) => {
  const tab = line.indexOf('\t');
  const value = table.get(tab < 0 ? line : line.slice(0, tab));
  if (value === undefined) return;
  const joined = `${line}\t${value}\n`;
  out.push(joined);
  size += joined.length;
  if (size >= CHUNK) {
    writeAll(Buffer.from(out.join(''), 'latin1'));
    out = [];
    size = 0;
  }
});
if (size > 0) writeAll(Buffer.from(out.join(''), 'latin1'));
