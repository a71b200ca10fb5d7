import { statSync } from 'node:fs';
import { isBlankRecord, isJsonFraming } from '../../filters/framing/spec.js';
import type { TableBuildOptions } from './build.js';
import { inputName, readRecords } from './input.js';
import { RecordParts } from './parts.js';

/**
 * Where a key first appeared, as `input:record`, found by reading the inputs again: keeping
 * every key's record number through the build would cost memory for the rare failure. `null`
 * when an input before the key was found cannot be read twice (stdin, a pipe).
 */
export async function findFirstRecord(
  inputs: string[],
  key: Buffer,
  options: TableBuildOptions,
): Promise<string | null> {
  const parts = new RecordParts(options.key, options.value);
  const skipsBlank = isJsonFraming(options.split);
  for (const input of inputs) {
    if (input === '-' || !statSync(input).isFile()) return null;
    for await (const { records, firstRecord } of readRecords(
      input,
      options.split,
      options.maxRecord,
    )) {
      for (let i = 0; i < records.length; i++) {
        if (skipsBlank && isBlankRecord(records[i]!)) continue;
        parts.cut(records[i]!);
        if (parts.keyFound && parts.key.equals(key))
          return `${inputName(input)}:${firstRecord + i}`;
      }
    }
  }
  return null;
}
