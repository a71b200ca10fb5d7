#!/usr/bin/env node
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeArgs } from './args.js';

/**
 * The queue on loopback: starts a nats-server of its own (JetStream, a temporary store) and two
 * `manifold worker --queue -j 1 -- cat`, and times `manifold fan --queue` over `--input`.
 * `--mode throughput` writes MB/s to $PROBE. `--mode redelivery` runs the job twice, the second
 * time with a third worker that takes a block and is then killed (SIGKILL), and writes how many
 * seconds longer that run took, with an ack wait of 1 s: the cost of a lost worker's block.
 * Usage: node queue.js --mode throughput|redelivery --input FILE --manifold PATH
 */
const args = probeArgs();
const option = args.required;
const manifold = option('--manifold');
const input = option('--input');
const store = mkdtempSync(join(tmpdir(), 'manifold-bench-nats-'));
const children: ChildProcess[] = [];

/** Resolves with the first match of `pattern` on a child's stderr. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    child.on('exit', () => reject(new Error(`ended before ${pattern}:\n${text}`)));
  });
}

/** Every process below `root`, from /proc (the workers' commands run in groups of their own). */
function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const children = parents.get(queue.pop()!) ?? [];
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/**
 * Kills a child and everything below it: the child first, as a machine lost is, so it cannot
 * report its command killed as the block's failed try (it would be, killed first).
 */
function killAll(child: ChildProcess): void {
  const below = descendants(child.pid!);
  for (const pid of [child.pid!, ...below]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

function start(command: string, argv: string[]): ChildProcess {
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  return child;
}

async function timedRun(url: string, job: string, extra: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(manifold, ['fan', '--queue', url, '--job', job, '--input', input, ...extra], {
    stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`manifold fan --queue exited with ${code}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const workers = (url: string, job: string) =>
  [1, 2].map(() =>
    start(manifold, ['worker', '--queue', url, '--job', job, '-j', '1', '--', 'cat']),
  );

try {
  const server = start('nats-server', ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', store]);
  const [, port] = await waitForLine(server, /Listening for client connections on [\d.]+:(\d+)/);
  const url = `nats://127.0.0.1:${port}`;
  const bytes = statSync(input).size;
  workers(url, 'clean');
  const clean = await timedRun(url, 'clean', ['--ack-wait', '1s']);
  if (option('--mode') === 'throughput') {
    writeFileSync(process.env.PROBE!, `${(bytes / 1e6 / clean).toFixed(1)}\n`);
  } else {
    const lost = start(manifold, [
      'worker',
      '--queue',
      url,
      '--job',
      'lost',
      '-j',
      '1',
      '--shell',
      '--',
      'echo busy >&2; exec sleep 1000',
    ]);
    const run = timedRun(url, 'lost', ['--ack-wait', '1s']);
    await waitForLine(lost, /busy/);
    killAll(lost);
    workers(url, 'lost');
    const seconds = await run;
    writeFileSync(
      process.env.PROBE!,
      `${(seconds - clean).toFixed(2)}\nclean run ${clean.toFixed(2)} s, with a lost block ${seconds.toFixed(2)} s\n`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(
    children.map((child) =>
      child.exitCode === null && child.signalCode === null ? once(child, 'exit') : null,
    ),
  );
  rmSync(store, { recursive: true, force: true });
}
