import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../orchestrator/index.js';
import { fileWith, tempDir } from '../support/temp.js';

// In the library, an output of `/dev/fd/N` names a descriptor of the calling program, which may
// go on using it. The last stage's copy was manifold's to close, and so the caller's descriptor
// was closed at the end: its next write failed with EBADF (or, the number reused, went into
// another file). It is left open now, written after what the caller wrote, as `manifold run`
// writes the descriptor a shell gave it. Each kind of last stage closes its output its own way.

const LAST_STAGES = [
  ['a command', { run: 'cat' }],
  ['a fan', { fan: { worker: 'cat', workers: 2 } }],
  ['branches concatenated', { branches: { one: [{ run: 'cat' }] } }],
  ['branches joined', { branches: { one: [{ run: 'cat' }] }, combine: 'join', join: 'cat {one}' }],
] as const;

describe('run: an output of /dev/fd/N, a descriptor of the caller', () => {
  it.each(LAST_STAGES)('is left open for the caller after %s', async (_kind, stage) => {
    const out = join(tempDir(), 'out');
    const fd = openSync(out, 'w');
    try {
      writeSync(fd, 'before\n');
      await run(
        { stages: [stage] },
        { input: fileWith('manifold-api-fd-', 'a\nb\n'), output: `/dev/fd/${fd}` },
      );
      writeSync(fd, 'after\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(out, 'utf8')).toBe('before\na\nb\nafter\n');
  });

  it('is left open when the config names it', async () => {
    const out = join(tempDir(), 'out');
    const fd = openSync(out, 'w');
    try {
      await run(
        { output: `/dev/fd/${fd}`, stages: [{ run: 'cat' }] },
        { input: fileWith('manifold-api-fd-', 'a\n') },
      );
      writeSync(fd, 'after\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(out, 'utf8')).toBe('a\nafter\n');
  });
});
