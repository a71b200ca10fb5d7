import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { root } from '../helpers.js';
import { tempDir } from '../support/temp.js';

/**
 * Runs `body` as an ES module in a node process of its own, with `fan` and `run` imported from
 * the built package, stdin closed; gives its exit status and what it wrote on stdout and stderr.
 */
export async function runApiScript(
  body: string,
): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const file = join(tempDir(), 'script.mjs');
  const entry = join(root, 'dist/bundle/index.js');
  writeFileSync(file, `import { fan, run } from ${JSON.stringify(entry)};\n${body}\n`);
  const result = await execa(process.execPath, [file], { reject: false, stdin: 'ignore' });
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
