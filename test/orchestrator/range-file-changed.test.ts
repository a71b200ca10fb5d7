import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileChanged } from '../../orchestrator/fan/range-file.js';
import { tempDir } from '../support/temp.js';

// Linux moves a file's modification time before its size as a write goes in, so a file looked
// at while it is appended to can show a new time and its old size: once the CI's run said
// "was rewritten" of a file that grew. The check looks again before it says which.
describe('fileChanged: a file looked at while a write is going in', () => {
  it('says it grew, not that it was rewritten', async () => {
    const file = join(tempDir(), 'input');
    const told: string[] = [];
    // Each try appends 1 MB (many writes) and watches for the moment the time has moved and the
    // size not yet; most tries see it. Up to 200 tries, until 5 have.
    for (let tries = 0; tries < 200 && told.length < 5; tries++) {
      writeFileSync(file, 'x'.repeat(100_000));
      const fd = openSync(file, 'r');
      const start = fstatSync(fd);
      const writer = spawn('sh', ['-c', 'head -c 1000000 /dev/zero >> "$1"', 'sh', file], {
        stdio: 'ignore',
      });
      const ended = new Promise((resolve) => writer.on('exit', resolve));
      let exited = false;
      void ended.then(() => {
        exited = true;
      });
      for (;;) {
        const now = fstatSync(fd);
        if (now.size !== start.size) break;
        if (now.mtimeMs !== start.mtimeMs) {
          told.push(fileChanged('input', start, fd)?.message ?? 'no error');
          break;
        }
        // The writer may not have begun: let its exit be seen, so a try that missed ends.
        if (exited) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await ended;
      closeSync(fd);
    }
    expect(told.length).toBeGreaterThan(0);
    for (const message of told) expect(message).toMatch(/^the input file input grew while/);
  });
});
