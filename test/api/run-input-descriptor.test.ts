import { closeSync, fstatSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../orchestrator/index.js';
import { openPipes } from '../../orchestrator/pipeline/pipes.js';
import { tempDir } from '../support/temp.js';

// run()'s input given as a descriptor is the caller's, as an output's is: read where it stands
// and left open, a pipe's and a file's, whatever the first stage: a command, a fan or branches
// (each first stage below, as a closing one could be any of them).

const FIRST_STAGES = [
  ['a command', { run: 'cat' }],
  ['a fan', { fan: { worker: 'cat', workers: 2 } }],
  ['branches', { branches: { one: [{ run: 'cat' }] } }],
] as const;

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

async function runOn(fd: number, stage: object): Promise<string> {
  let got = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      got += chunk.toString();
      done();
    },
  });
  await run({ stages: [stage] }, { input: fd, output });
  return got;
}

describe('run: an input descriptor of the caller', () => {
  it.each(FIRST_STAGES)(
    'of a pipe is read and left open, the first stage %s',
    async (_kind, stage) => {
      const [pipe] = openPipes(1);
      writeSync(pipe!.write, 'a\nb\n');
      closeSync(pipe!.write);
      try {
        const got = await runOn(pipe!.read, stage);
        // Open, and at its end: a read says so (EBADF, or another file's bytes, once closed).
        const open = isOpen(pipe!.read);
        expect({ got, open, left: open ? readSync(pipe!.read, Buffer.alloc(8)) : null }).toEqual({
          got: 'a\nb\n',
          open: true,
          left: 0,
        });
      } finally {
        if (isOpen(pipe!.read)) closeSync(pipe!.read);
      }
    },
  );

  it.each(FIRST_STAGES)(
    'of a file is read where it stands and left open, the first stage %s',
    async (_kind, stage) => {
      const file = join(tempDir(), 'in.txt');
      writeFileSync(file, 'skip\na\nb\n');
      const fd = openSync(file, 'r');
      try {
        readSync(fd, Buffer.alloc(5));
        const got = await runOn(fd, stage);
        expect({ got, open: isOpen(fd) }).toEqual({ got: 'a\nb\n', open: true });
      } finally {
        if (isOpen(fd)) closeSync(fd);
      }
    },
  );
});
