import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Fan, type FanEnd } from '../../dist/orchestrator/fan/engine.js';
import type { FanOptions } from '../../dist/orchestrator/fan/options.js';
import { parseFraming, parseKeySpec } from '../../filters/index.js';
import type { WorkerKind } from '../../orchestrator/workers/transport.js';
import { tempDir } from './temp.js';

// Runs the real fan engine (the built one) in this process over in-memory workers: input from
// a temporary file, output to a descriptor opened on another, the engine's lines caught.

/** The records `r01\n` … as one string: 4 bytes each, so a 12-byte block holds three. */
export function numbered(count: number): string {
  return Array.from({ length: count }, (_, i) => `r${String(i + 1).padStart(2, '0')}\n`).join('');
}

export interface MemoryRun {
  output: string;
  /** What the engine said on stderr (failures), line by line. */
  stderr: string[];
  /** What it logged (--verbose lines: retries). */
  log: string[];
  end: FanEnd;
  summary: {
    totals: { blocks: number; recordsIn: number; recordsOut: number };
    workers: { worker: number; pids: number[]; blocks: number; exits: unknown[] }[];
  };
}

/**
 * Runs a fan of `kind`'s workers over `input`, with the options given and the CLI's defaults;
 * `made` is given the fan before it runs (to stop it from a worker's step).
 */
export async function runMemoryFan(
  kind: WorkerKind | string,
  input: string,
  options: Partial<FanOptions> = {},
  made: (fan: Fan) => void = () => {},
): Promise<MemoryRun> {
  const dir = tempDir();
  const inputPath = join(dir, 'input');
  const outputPath = join(dir, 'output');
  writeFileSync(inputPath, input);
  const lines = parseFraming('lines', '--split');
  const outputFd = openSync(outputPath, 'w');
  const log: string[] = [];
  const stderr: string[] = [];
  let fan: Fan;
  try {
    fan = new Fan(
      {
        kind,
        command: { argv: ['memory'], shell: false },
        workers: 2,
        framing: lines,
        outputFraming: lines,
        blockSize: 12,
        maxRecord: 1 << 20,
        mergeMemory: 64 << 20,
        dispatch: 'ready',
        key: parseKeySpec('whole', undefined, '--key'),
        merge: 'ready',
        numeric: false,
        reverse: false,
        tag: false,
        attribution: 'none',
        retries: 0,
        halt: 'now',
        inputs: [inputPath],
        stats: null,
        progress: false,
        verbose: true,
        countOutput: true,
        outputFd,
        ...options,
      },
      (line) => log.push(line),
    );
  } catch (error) {
    closeSync(outputFd);
    throw error;
  }
  made(fan);
  const end = await catchStderr(stderr, () => fan.run(null));
  return {
    output: readFileSync(outputPath, 'utf8'),
    stderr,
    log,
    end,
    summary: fan.summary() as MemoryRun['summary'],
  };
}

/**
 * Runs `action`, keeping what it writes to this process's stderr instead: the engine's failure
 * lines. The engine writes them there itself, one whole line per write.
 */
async function catchStderr<T>(lines: string[], action: () => Promise<T>): Promise<T> {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split(/(?<=\n)/));
    return true;
  }) as typeof process.stderr.write;
  try {
    return await action();
  } finally {
    process.stderr.write = write;
  }
}
