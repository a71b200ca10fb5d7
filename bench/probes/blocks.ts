#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { openSync, readFileSync, writeFileSync } from 'node:fs';
import { probeArgs } from './args.js';

/**
 * Blocks per second of a fan: runs the shell command after `--` (a `manifold fan` given
 * `--stats $STATS`) with `--input` on stdin, and writes the blocks its --stats counted over its
 * wall time to `--out`.
 * Usage: node blocks.js --out FILE --input FILE --stats FILE -- 'command'
 */
const args = probeArgs();
const option = args.required;
const command = args.command.join(' ');

const started = process.hrtime.bigint();
const code = await new Promise<number | null>((resolve) => {
  const child = spawn('bash', ['-c', command], {
    stdio: [openSync(option('--input'), 'r'), 'ignore', 'inherit'],
    env: { ...process.env, STATS: option('--stats') },
  });
  child.on('close', resolve);
});
if (code !== 0) throw new Error(`failed (${code}): ${command}`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const { totals } = JSON.parse(readFileSync(option('--stats'), 'utf8')) as {
  totals: { blocks: number };
};
writeFileSync(option('--out'), `${Math.round(totals.blocks / seconds)}\n${totals.blocks} blocks\n`);
