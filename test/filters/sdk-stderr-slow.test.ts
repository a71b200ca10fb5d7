import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bin } from '../helpers.js';
import { collect, waitForExit } from '../support/spawn.js';

// A filter's stderr read slowly: Node queues what the pipe cannot take yet, and the SDK's exit
// dropped that queue, the filter's last warnings and its own error line with them (`mf-map:
// stdin:20000: ...` gone, exit 1 with no word of why). Its exit waits for stderr to be out.

describe("an SDK filter's stderr read slowly", () => {
  it('loses none of it, its error line included', async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => `${i + 1}\n`).join('');
    const expression = 'n === 20000 ? r.x.y : (console.error("warning about record " + n), r)';
    const child = spawn(bin('mf-map'), [expression], { stdio: ['pipe', 'pipe', 'pipe'] });
    // stderr is not read until the filter has written all its output (the records before the
    // failing one): by then it is exiting. Its stdout ends only with it, which now waits.
    child.stderr!.pause();
    child.stdin!.end(input);
    const written = input.length - '20000\n'.length;
    let bytes = 0;
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= written) resolve();
      });
    });
    const stderr = (await collect(child.stderr)).toString();
    expect((await waitForExit(child)).exitCode).toBe(1);
    const lines = stderr.split('\n').slice(0, -1);
    expect(lines.length).toBe(20_000);
    expect(lines.at(-1)).toMatch(/^mf-map: stdin:20000: TypeError: /);
  });
});
