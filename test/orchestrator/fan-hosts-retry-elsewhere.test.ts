import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { numbered } from '../support/lines.js';
import { useTestHosts } from '../support/sshd.js';

// --retries over hosts tries a failed block again on another host while one may take it, as
// parallel --retries does ("on another computer on which it has not failed"): a command found
// on h1 only was tried again on h2, where it had failed, every time (exit 127, h1 idle).

const test = useTestHosts(2);

describe('manifold fan --host --retries: a block that failed on a host', () => {
  it('goes to the other host: a command on h1 only, every block done there, exit 0', async () => {
    symlinkSync('/bin/cat', join(test.hosts[0]!.bin, 'only-on-h1'));
    const input = numbered(1, 20000);
    for (const merge of ['ordered', 'ready']) {
      const result = await fan(
        [
          ...['--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1', '--block', '16k'],
          ...['--retries', '1', '--merge', merge, '--', 'only-on-h1'],
        ],
        input,
      );
      expect(ok(result), merge).toEqual(OK);
      const out = result.stdout.toString();
      expect(merge === 'ordered' ? out : out.split('\n').sort().join('\n')).toBe(
        merge === 'ordered' ? input : input.split('\n').sort().join('\n'),
      );
    }
  });
});
