import { closeSync, fstatSync, readdirSync, readSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { openPipes } from '../../orchestrator/pipeline/pipes.js';

// fan()'s input given as a descriptor of a pipe is the caller's, as run()'s is
// (run-input-descriptor.test.ts): read, and left open, the caller's to read again or close.
// Before 2026-12-04 fan and fan.stream closed it once read.

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

const calls = {
  fan: async (options: object, input: number) => {
    let got = '';
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        got += chunk.toString();
        done();
      },
    });
    await fan({ command: ['cat'], workers: 2, ...options }, { input, output });
    return got;
  },
  'fan.stream': async (options: object, input: number) => {
    let got = '';
    for await (const chunk of fan.stream({ command: ['cat'], workers: 2, ...options }, { input }))
      got += chunk.toString();
    return got;
  },
};

describe.each(Object.keys(calls) as (keyof typeof calls)[])('%s: an input pipe', (api) => {
  it.each([
    ['by default', {}],
    ['dispatched round-robin', { dispatch: 'round-robin' }],
    ['dispatched to the ready', { dispatch: 'ready' }],
  ])('is read and left open, %s', async (_how, options) => {
    const [pipe] = openPipes(1);
    writeSync(pipe!.write, 'a\nb\n');
    closeSync(pipe!.write);
    const before = readdirSync('/proc/self/fd').length;
    try {
      const got = await calls[api](options, pipe!.read);
      // Open, and at its end: a read says so (EBADF, or another file's bytes, once closed).
      const open = isOpen(pipe!.read);
      expect({
        got,
        open,
        left: open ? readSync(pipe!.read, Buffer.alloc(8)) : null,
        // The copy manifold read through is closed: no descriptor more than before.
        more: readdirSync('/proc/self/fd').length - before,
      }).toEqual({ got: 'a\nb\n', open: true, left: 0, more: 0 });
    } finally {
      if (isOpen(pipe!.read)) closeSync(pipe!.read);
    }
  });
});
