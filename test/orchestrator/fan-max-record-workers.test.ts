import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// 'manifold fan --max-record 128M -- mf-map ...' with a record over 64 MiB: manifold took it,
// and the SDK filter, with its own default of 64M, failed it with "raise it with --max-record",
// which the user had. An SDK filter's --max-record now defaults to the fan's
// (MANIFOLD_MAX_RECORD), as threads, as processes under the protocol, and as per-block ones.

const MiB = 1024 * 1024;
const size = 65 * MiB;

describe('the fan --max-record reaches its SDK filters', () => {
  it.each([['--threads'], ['--protocol manifold'], ['--per-block']])(
    "%s: a 65 MiB record under --max-record 128M is the filter's too",
    async (mode) => {
      const file = join(tempDir('manifold-max-record-workers-'), 'big.txt');
      writeFileSync(file, `${'a'.repeat(size)}\nb\n`);
      const args = ['fan', '-j', '1', ...mode.split(' '), '--max-record', '128M', '--input', file];
      const result = await run(manifold, [...args, '--', 'mf-map', 'r.length']);
      expect({
        exitCode: result.exitCode,
        stderr: result.stderr,
        stdout: result.stdout.toString(),
      }).toEqual({ exitCode: 0, stderr: '', stdout: `${size}\n1\n` });
    },
  );
});
