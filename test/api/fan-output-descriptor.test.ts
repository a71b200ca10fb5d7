import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { fileWith, tempDir } from '../support/temp.js';

// In the library, an output of `/dev/fd/N` names a descriptor of the calling program. fan
// opened the path anew (open(2) of /dev/fd/N on Linux opens the file again, truncated, at 0):
// what the caller wrote before was lost, and fan's output overwritten by the caller's next
// write. It is the caller's descriptor now, as for run: written where it stands, left open.

describe('fan: an output of /dev/fd/N, a descriptor of the caller', () => {
  it('is written after what the caller wrote, and left open for the caller', async () => {
    const out = join(tempDir(), 'out');
    const fd = openSync(out, 'w');
    try {
      writeSync(fd, 'before\n');
      await fan(
        { command: ['cat'], workers: 2 },
        { input: fileWith('manifold-api-fan-fd-', 'a\nb\n'), output: `/dev/fd/${fd}` },
      );
      writeSync(fd, 'after\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(out, 'utf8')).toBe('before\na\nb\nafter\n');
  });
});
