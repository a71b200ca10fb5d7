import { spawn } from 'node:child_process';
import { closeSync, fstatSync, readdirSync, readSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan } from '../../orchestrator/index.js';
import { openPipes } from '../../orchestrator/pipeline/pipes.js';
import { root } from '../helpers.js';

// fan()'s input given as a descriptor of a pipe or a socket is the caller's, as run()'s is
// (run-input-descriptor.test.ts): read, and left open, the caller's to read again or close,
// by fan and fan.stream alike.

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

/**
 * A Node process given a socket as its 3 (Node's 'pipe' stdio is a socketpair) calls `api` on
 * it, then says what it read, whether 3 is still open, and what a read of it gives then.
 */
const ON_SOCKET = (api: string) => `
import { fstatSync, readSync } from 'node:fs';
import { fan } from ${JSON.stringify(`${root}dist/orchestrator/index.js`)};
let got = '';
const socket = fstatSync(3).isSocket();
if (${JSON.stringify(api)} === 'fan') {
  const output = new (await import('node:stream')).Writable({
    write(chunk, _encoding, done) { got += chunk; done(); },
  });
  await fan({ command: ['cat'], workers: 2 }, { input: 3, output });
} else {
  for await (const chunk of fan.stream({ command: ['cat'], workers: 2 }, { input: 3 })) got += chunk;
}
let open = true;
try { fstatSync(3); } catch { open = false; }
process.stdout.write(JSON.stringify({ socket, got, open, left: open ? readSync(3, Buffer.alloc(8)) : null }));
`;

describe.each(Object.keys(calls))('%s: an input socket', (api) => {
  it('is read, through a cat given it, and left open', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', ON_SOCKET(api)], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    (child.stdio[3] as Writable).end('a\nb\n');
    let said = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      said += text;
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect({ status, stderr, said: said === '' ? null : JSON.parse(said) }).toEqual({
      status: 0,
      stderr: '',
      said: { socket: true, got: 'a\nb\n', open: true, left: 0 },
    });
  });
});

describe('fan: an input socket still written to', () => {
  it('stopped (aborted at its first output), the caller ends: the cat reading it is stopped', async () => {
    const script = `
import { fan } from ${JSON.stringify(`${root}dist/orchestrator/index.js`)};
import { Writable } from 'node:stream';
const stop = new AbortController();
const output = new Writable({ write(_chunk, _encoding, done) { stop.abort(); done(); } });
const code = await fan({ command: ['cat'], workers: 1, block: '2' }, { input: 3, output, signal: stop.signal })
  .then(() => 'resolved', (error) => error.code);
process.stdout.write(code);
`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    // Written, never ended: only the fan's stop can end the reading.
    (child.stdio[3] as Writable).write('a\nb\n');
    let said = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      said += text;
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    const status = await new Promise((resolve) => child.on('close', resolve));
    (child.stdio[3] as Writable).destroy();
    expect({ status, said, stderr }).toEqual({ status: 0, said: 'manifold.aborted', stderr: '' });
  });
});
