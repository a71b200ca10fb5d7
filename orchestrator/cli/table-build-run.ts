import { rmSync } from 'node:fs';
import { basename, normalize } from 'node:path';
import { quoteName } from '../../filters/errors.js';
import {
  formatSize,
  parseFraming,
  parseKeySpec,
  parseSize,
  plural,
  UsageError,
} from '../../filters/index.js';
import type { DuplicatesPolicy } from '../../filters/tables/meta.js';
import { show } from '../options/checks.js';
import { buildTable, type TableBuildOptions } from '../tables/build.js';
import { checkBuildInputs } from '../tables/input.js';
import { temporaryPath } from '../tables/place.js';
import { dieOf, onStopSignals } from './signals.js';

/** The largest --shards: one shard per worker, and manifold fan runs at most this many. */
const MAX_SHARDS = 1024;

/** Runs `manifold table build` and resolves to its exit status. */
export async function runTableBuild(
  inputs: string[],
  raw: Record<string, unknown>,
): Promise<number> {
  const options = resolveBuildOptions(inputs, raw);
  checkBuildInputs(options.inputs);
  // Stopped, the build takes its folder with it, as `sort` its temporary files: a signal waits
  // for nothing (not for a read of a stdin that sends nothing), and only SIGKILL leaves the
  // folder, for the next build to remove.
  onStopSignals((signal) => {
    rmSync(temporaryPath(options.output), { recursive: true, force: true });
    dieOf(signal);
  });
  const started = Date.now();
  const progress = raw.progress && process.stderr.isTTY ? new BuildProgress(started) : null;
  if (progress !== null) options.onProgress = (records, bytes) => progress.update(records, bytes);
  const leftovers: string[] = [];
  options.onLeftover = (line) => leftovers.push(line);
  try {
    const meta = await buildTable(options);
    progress?.end();
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `manifold: built ${quoteName(options.output)}: ${plural(meta.records, 'record')}, ${plural(meta.keys, 'key')}, ` +
        `${plural(meta.duplicatesSeen, 'duplicate')}, ${formatSize(meta.bytes)}` +
        `${meta.shards > 1 ? ` in ${meta.shards} shards` : ''}, ${seconds.toFixed(1)} s ` +
        `(${formatRate(meta.records / Math.max(seconds, 0.001))} records/s)\n`,
    );
  } catch (error) {
    progress?.end();
    throw error;
  } finally {
    // After the build's own line: what it left beside the table, each said, none a failure.
    for (const line of leftovers) process.stderr.write(`manifold: ${line}\n`);
  }
  return 0;
}

/** Checks the options against each other and resolves them. */
export function resolveBuildOptions(
  inputs: string[],
  raw: Record<string, unknown>,
): TableBuildOptions {
  const fieldSeparator = (raw.fieldSep as string | undefined) ?? null;
  const keyText = String(raw.key);
  const key = parseKeySpec(keyText, fieldSeparator ?? undefined, '--key');
  const valueText = String(raw.value);
  const value = parseKeySpec(valueText, fieldSeparator ?? undefined, '--value');
  // A separator splits a field:N key's or value's fields; anything else would ignore it, unsaid.
  if (fieldSeparator !== null && key.kind !== 'field' && value.kind !== 'field') {
    throw new UsageError(
      `--field-sep ${show(fieldSeparator)} splits the fields of --key or --value field:N: it needs one (--key is ${keyText}, --value ${valueText})`,
    );
  }
  const splitText = (raw.split as string | undefined) ?? (key.kind === 'json' ? 'ndjson' : 'lines');
  const split = parseFraming(splitText, '--split');
  if (split.kind === 'raw') throw new UsageError('--split raw has no records to build a table of');
  const shards = Number(raw.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new UsageError(
      `--shards ${quoteName(String(raw.shards))}: give a whole number from 1 to ${MAX_SHARDS}`,
    );
  }
  // As the file system reads it: `kv.mft/.` is kv.mft (it failed at the end, EBUSY).
  const output = normalize(String(raw.output)).replace(/\/+$/, '');
  if (output === '' || basename(output) === '.' || basename(output) === '..') {
    throw new UsageError(`-o ${quoteName(String(raw.output))}: name a new directory for the table`);
  }
  return {
    inputs,
    output,
    key,
    keyText,
    value,
    valueText,
    fieldSeparator,
    split,
    duplicates: raw.duplicates as DuplicatesPolicy,
    shards,
    maxRecord: parseSize(String(raw.maxRecord), '--max-record'),
    memory: parseSize(String(raw.memory ?? '2G'), '--memory'),
  };
}

/** `--progress`: one line on stderr, redrawn at most four times a second. */
class BuildProgress {
  readonly #started: number;
  #drawn = 0;

  constructor(started: number) {
    this.#started = started;
  }

  update(records: number, bytes: number): void {
    const now = Date.now();
    if (now - this.#drawn < 250) return;
    this.#drawn = now;
    const seconds = Math.max((now - this.#started) / 1000, 0.001);
    process.stderr.write(
      `\rbuilding: ${records} records, ${formatSize(bytes)} read, ${formatRate(records / seconds)} records/s\x1b[K`,
    );
  }

  end(): void {
    if (this.#drawn !== 0) process.stderr.write('\r\x1b[K');
  }
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k`;
  return String(Math.round(rate));
}
