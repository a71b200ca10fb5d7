import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputSink, writeInFlight } from '../../orchestrator/fan/output.js';
import { tempDir } from '../support/temp.js';

// On SIGINT or SIGTERM a fan or a pipeline dies of the signal instead of exiting when a write of
// its output waits in the thread pool (exiting would wait for it, for ever, if its reader has
// stopped reading). A write to a regular file has no reader to wait for: it is not counted, so
// a run writing into a file exits with 130 or 143 whenever the signal comes (a run-signals test
// saw `killed by SIGINT` on a loaded machine, its output a file).

describe('a write of the output in flight', () => {
  it('to a regular file is not one that may wait for a reader', async () => {
    const fd = openSync(join(tempDir(), 'out'), 'w');
    try {
      const sink = new OutputSink(fd);
      sink.write([Buffer.alloc(8 << 20, 0x61)]);
      // Handed to the thread pool, its callback not yet come (that needs this turn to end).
      expect(writeInFlight()).toBe(false);
      await sink.finish();
    } finally {
      closeSync(fd);
    }
  });

  it('to a pipe whose reader does not read (yet) is one', async () => {
    const fifo = join(tempDir(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Opened for reading and writing, so that the open does not wait for a reader; nothing
    // reads it until `cat` comes.
    const fd = openSync(fifo, 'r+');
    try {
      const sink = new OutputSink(fd, 8 << 20, true);
      // More than the pipe holds: the pool's write waits for a reader.
      sink.write([Buffer.alloc(4 << 20, 0x61)]);
      expect(writeInFlight()).toBe(true);
      const reader = spawn('cat', [fifo], { stdio: ['ignore', 'ignore', 'inherit'] });
      await sink.finish();
      expect(writeInFlight()).toBe(false);
      closeSync(fd);
      await once(reader, 'exit');
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  });
});
