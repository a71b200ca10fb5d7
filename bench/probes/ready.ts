#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { openSync, writeFileSync } from 'node:fs';
import { probeArgs } from './args.js';

/**
 * How much later a filter is ready for its first record than a filter that opens nothing:
 * runs two shell commands in turn (`--base`, then the one after `--`), each `--runs` times
 * with `--input` on stdin, times each from spawn to its first byte of output, and writes the
 * difference of the medians in milliseconds to `--out`.
 * Usage: node ready.js --out FILE --input FILE --runs N --base 'command' -- 'command'
 */
const args = probeArgs();
const option = args.required;
const command = args.command.join(' ');

function firstOutputMs(line: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const input = openSync(option('--input'), 'r');
    const started = process.hrtime.bigint();
    let first: number | undefined;
    const child = spawn('bash', ['-c', line], { stdio: [input, 'pipe', 'inherit'] });
    child.stdout!.on('data', () => {
      first ??= Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.on('close', (code) => {
      if (code !== 0 || first === undefined) reject(new Error(`no output, or failed: ${line}`));
      else resolve(first);
    });
  });
}

const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const base: number[] = [];
const timed: number[] = [];
for (let i = 0; i < Number(option('--runs')); i++) {
  base.push(await firstOutputMs(option('--base')));
  timed.push(await firstOutputMs(command));
}
writeFileSync(option('--out'), `${(median(timed) - median(base)).toFixed(1)}\n`);
