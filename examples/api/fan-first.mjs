// Stops at the first match: leaving the loop stops the fan and every worker.
// awk, not grep: grep exits 1 when its part of the input has no match, and a
// worker that exits 1 fails the fan (as a failed job does in GNU parallel).
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fan } from 'manifold-pipes';

const file = join(tmpdir(), `haystack-${process.pid}.txt`);
const lines = Array.from({ length: 200_000 }, (_, i) =>
  i === 123_456 ? `needle ${i}` : `hay ${i}`,
);
writeFileSync(file, `${lines.join('\n')}\n`);
for await (const chunk of fan.stream(
  { command: ['awk', '/needle/'], workers: 4, block: '64K' },
  { input: file },
)) {
  console.log(`found: ${chunk.toString().trim()}`);
  break;
}
rmSync(file);
