import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCleanup } from '../support/cleanup.js';
import { numbered } from '../support/lines.js';
import { runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// A last-stage fan that cannot write the config's output names that output, as the merge of
// branches does: it said `cannot write stdout`, of a stdout it was never given.

describe("a last-stage fan that cannot write the config's output", () => {
  for (const merge of ['ordered', 'ready']) {
    it(`merge: ${merge}: names the output, exit 1`, async () => {
      const dir = tempDir();
      const config = writeConfig(
        dir,
        `output: /dev/full\nstages:\n  - fan: {merge: ${merge}, worker: cat}\n`,
      );
      const result = await runConfig(config, numbered(1, 100_000));
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 1,
        stderr:
          'manifold: stage stages[0]: cannot write /dev/full: no space left on device (ENOSPC)\n',
      });
    });
  }

  // Said in Node's words (`ENXIO: no such device or address`, `ENOENT: no such file or
  // directory` of a /proc file that is there): a socket no open writes, and the folder that
  // takes no temporary file.
  it('a socket, and a file whose folder takes no temporary file: said as what they are', async () => {
    const dir = tempDir();
    const socket = join(dir, 'out.sock');
    const server = createServer().listen(socket);
    await once(server, 'listening');
    onCleanup(() => server.close());
    for (const [output, said] of [
      [
        socket,
        `cannot write output "${socket}": it is a socket, which cannot be opened to write: write to a file, a FIFO or a descriptor`,
      ],
      [
        '/proc/version',
        'cannot write output "/proc/version": cannot make its temporary file in /proc: no such file or directory (ENOENT)',
      ],
    ]) {
      const config = writeConfig(dir, `output: ${output}\nstages:\n  - run: cat\n`);
      const result = await runConfig(config, 'a\n');
      expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
        exitCode: 1,
        stderr: `manifold: ${said}\n`,
      });
    }
  });
});
