#!/usr/bin/env node
import { readSync, writeSync } from 'node:fs';

/**
 * The floor for `mf-map 'r.toUpperCase()'` in Node: a hand-written loop with no SDK, no options
 * and no error handling (lines must be under 1 MiB), reading 1 MiB at a time. The distance from it to awk is Node's; the
 * distance from mf-map to it is the SDK's.
 */
const buffer = Buffer.allocUnsafe(1 << 20);
let kept = 0;
for (;;) {
  const n = readSync(0, buffer, kept, buffer.length - kept, null);
  const end = kept + n;
  const last = n === 0 ? end : buffer.lastIndexOf(10, end - 1) + 1;
  if (last > 0) {
    const lines = buffer
      .toString('utf8', 0, n === 0 && end > 0 && buffer[end - 1] !== 10 ? end : last - 1)
      .split('\n');
    for (let i = 0; i < lines.length; i++) lines[i] = lines[i]!.toUpperCase();
    lines.push('');
    if (end > 0) writeSync(1, Buffer.from(lines.join('\n')));
  }
  if (n === 0) break;
  kept = end - last;
  buffer.copy(buffer, 0, last, end);
}
