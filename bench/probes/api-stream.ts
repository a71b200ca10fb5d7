#!/usr/bin/env node
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { fan, run } from '../../orchestrator/index.js';
import { probeArgs } from './args.js';

/**
 * The library's `fan` given a caller's stream of objects, one line each, as `Readable.from`
 * makes of an array or a generator: how long the stream takes to be read alone (`--mode read`,
 * the anchor), to be fanned through two `cat`s into a Writable that keeps nothing (`--mode
 * fan`), and to be run through a pipeline of one `cat` stage into it (`--mode run`). The lines are read from `--input` into memory first, not timed; the milliseconds the
 * rest took are written to `--out`, then the number of lines.
 * Usage: node api-stream.js --out FILE --input FILE --mode read|fan|run
 */
const args = probeArgs();
const out = args.required('--out');
const mode = args.required('--mode');
const text = readFileSync(args.required('--input'), 'utf8');
const lines = text.split(/(?<=\n)/);
const started = process.hrtime.bigint();
const input = Readable.from(lines);
if (mode === 'read') {
  for await (const _ of input);
} else {
  const output = new Writable({
    write: (_chunk, _encoding, done) => done(),
  });
  if (mode === 'run') await run({ stages: [{ name: 'copy', run: 'cat' }] }, { input, output });
  else await fan({ command: ['cat'], workers: 2 }, { input, output });
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
writeFileSync(out, `${Math.round(ms)}\n${(lines.length / 1e6).toFixed(2)} M lines\n`);
