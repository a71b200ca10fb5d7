import { closeSync, openSync, statSync } from 'node:fs';
import { DelimitedDecoder } from '../../filters/framing/delimited.js';
import { createDecoder, type Framing, UsageError } from '../../filters/index.js';
import { readChunks } from '../../filters/sdk/io.js';

/** The records of one read of an input, and the number of the first (1-based, in the input). */
export interface RecordsRead {
  records: Buffer[];
  firstRecord: number;
  bytes: number;
}

/** An input's name in messages: `stdin` for `-`. */
export function inputName(input: string): string {
  return input === '-' ? 'stdin' : input;
}

/** Checks each input can be read before anything is built; stdin must not be a terminal. */
export function checkBuildInputs(inputs: string[]): void {
  for (const input of inputs) {
    if (input === '-') {
      if (process.stdin.isTTY) {
        throw new UsageError('stdin is a terminal: pipe the table in, or name its files');
      }
      continue;
    }
    try {
      if (statSync(input).isDirectory()) throw new UsageError(`input ${input}: is a directory`);
      closeSync(openSync(input, 'r'));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' ? 'no such file' : (code ?? 'cannot open');
      throw new UsageError(`input ${input}: ${problem}`, error);
    }
  }
}

/**
 * Reads an input (`-` is stdin) and cuts it into records by the framing, read by read. The
 * records are views of the memory read into, valid until the next read is asked for: the
 * memory of a read is read into again once the decoder holds no unfinished record in it (fresh
 * memory is a page fault per 4 KiB, ~15 µs each on a virtual machine: 0.4 s for 100 MB).
 */
export async function* readRecords(
  input: string,
  framing: Framing,
  maxRecord: number,
): AsyncGenerator<RecordsRead> {
  const fd = input === '-' ? 0 : openSync(input, 'r');
  const decoder = createDecoder(framing, { input: inputName(input), maxRecord });
  const records: Buffer[] = [];
  // Other decoders keep unfinished records as views of the reads: their reads are not reused.
  const mayReuse =
    decoder instanceof DelimitedDecoder
      ? (memory: ArrayBufferLike) => !decoder.holds(memory)
      : undefined;
  try {
    for await (const chunk of readChunks(fd, undefined, mayReuse)) {
      records.length = 0;
      decoder.push(chunk, records);
      yield { records, firstRecord: decoder.count - records.length + 1, bytes: chunk.length };
    }
    records.length = 0;
    decoder.end(records);
    yield { records, firstRecord: decoder.count - records.length + 1, bytes: 0 };
  } finally {
    if (fd !== 0) closeSync(fd);
  }
}
