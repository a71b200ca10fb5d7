import { TRAILING } from '../../filters/protocol.js';
import type { FromThread } from '../../filters/transfer.js';

/** A thread's output message, as manifold hears it. */
export type ThreadOutput = Extract<FromThread, { kind: 'output' }>;

/** An output message's block messages, read from its runs: `seq:text`, `seq:end` (`trailing`). */
export function messagesOf(output: ThreadOutput): string[] {
  const said: string[] = [];
  const runs = output.runs!;
  for (let i = 0; i < runs.length; i += 3) {
    const run = Buffer.from(output.buffers[runs[i]!]!).subarray(runs[i + 1], runs[i + 2]);
    for (let at = 0; at < run.length; ) {
      const seq = run.readUInt32BE(at);
      const length = run.readUInt32BE(at + 4);
      const name = seq === TRAILING ? 'trailing' : String(seq);
      said.push(`${name}:${length === 0 ? 'end' : run.subarray(at + 8, at + 8 + length)}`);
      at += 8 + length;
    }
  }
  return said;
}
