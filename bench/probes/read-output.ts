#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { probeArgs } from './args.js';

/**
 * What reading two workers' output costs manifold's main thread, the workers being two `dd`s
 * that each copy half of a file (docs/performance.md, "Workers' pipes"): read the way Node's
 * `spawn` gives it (a socket pair, 64 KiB reads into fresh buffers, 'data' events), or the way
 * a process starter gives it (a kernel pipe of `--pipe` bytes, read with `onread` into one
 * buffer of `--read` bytes used again). The bytes are written to /dev/null. Prints the way, the
 * wall time and this process's CPU time (user + system), in milliseconds.
 * Usage: node read-output.js --input FILE --way socket|pipe [--pipe 1048576] [--read 1048576]
 */
const args = probeArgs();
const input = args.required('--input');
const way = args.required('--way');
const pipeSize = Number(args.option('--pipe') ?? 1 << 20);
const readSize = Number(args.option('--read') ?? 1 << 20);
const sink = openSync('/dev/null', 'w');
const half = Math.ceil(fstatSync(openSync(input, 'r')).size / 2 / 131072);
const started = process.hrtime.bigint();
const cpu = process.cpuUsage();
let open = 2;

function ended(): void {
  if (--open > 0) return;
  const used = process.cpuUsage(cpu);
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `${way} ${wall.toFixed(0)} ${((used.user + used.system) / 1000).toFixed(0)}\n`,
  );
  closeSync(sink);
}

const dd = (k: number) => [
  'dd',
  `if=${input}`,
  'bs=128k',
  `skip=${k * half}`,
  `count=${half}`,
  'status=none',
];

for (let k = 0; k < 2; k++) {
  if (way === 'socket') {
    const child = spawn(dd(k)[0]!, dd(k).slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (data: Buffer) => writeSync(sink, data));
    child.stdout.on('end', ended);
    continue;
  }
  // A Python parent makes the pipe (Node cannot), sizes it, forks dd onto it, and says which of
  // its descriptors is the read end, to be opened through /proc.
  const script = `import os, fcntl, sys
r, w = os.pipe()
fcntl.fcntl(w, 1031, ${pipeSize})
argv = sys.argv[1:]
if os.fork() == 0:
    os.dup2(w, 1)
    os.execvp(argv[0], argv)
os.close(w)
os.write(1, b'%d\\n' % r)
os.read(0, 1)
os.wait()`;
  const parent = spawn('/usr/bin/python3', ['-I', '-S', '-c', script, ...dd(k)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let said = '';
  parent.stdout.on('data', (data: Buffer) => {
    said += data.toString();
    if (!said.endsWith('\n')) return;
    const fd = openSync(`/proc/${parent.pid}/fd/${said.trim()}`, 'r');
    parent.stdin.end('x');
    const buffer = Buffer.allocUnsafeSlow(readSize);
    const options = {
      fd,
      writable: false,
      onread: { buffer, callback: (n: number) => void writeSync(sink, buffer, 0, n) },
    };
    const socket = new Socket(options);
    socket.on('end', ended);
  });
}
