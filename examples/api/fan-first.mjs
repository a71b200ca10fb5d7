// Stops at the first match: leaving the loop stops the fan and every worker.
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fan } from 'manifold';

const file = join(tmpdir(), `haystack-${process.pid}.txt`);
const lines = Array.from({ length: 200_000 }, (_, i) =>
  i === 123_456 ? `needle ${i}` : `hay ${i}`,
);
writeFileSync(file, `${lines.join('\n')}\n`);
for await (const chunk of fan.stream(
  { command: ['grep', 'needle'], workers: 4, block: '64K' },
  { input: file },
)) {
  console.log(`found: ${chunk.toString().trim()}`);
  break;
}
rmSync(file);
