import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { outcome } from '../support/pipeline.js';

// Under --threads, a filter built against another manifold's SDK says its versions first, as a
// process's greeting does (fan-protocol-version): one this manifold does not speak is refused
// in one line naming both, status 2. It was not heard at all: a message of another protocol
// was dropped, and the run went on as if the filter spoke this one.

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

it('--threads with an SDK of another protocol: one line naming both versions, status 2', async () => {
  const filter = fixture('thread-other-sdk.js');
  const result = await run(manifold, ['fan', '--threads', '-j', '1', '--', filter], '1\n2\n');
  expect(outcome(result)).toEqual({
    exitCode: 2,
    stderr: `manifold: cannot start worker 1: ${filter} speaks version 4 of manifold's block protocol (its SDK is manifold-pipes 9.1.0), and this manifold (${version}) speaks version 3: run it with manifold 9.1.0, or build it against manifold-pipes ${version}\n`,
    stdout: '',
  });
});

it("--threads with an older SDK's filter (protocol 2, output as buffers and lengths): understood, its output whole", async () => {
  const filter = fixture('thread-old-sdk.js');
  const input = numbered(1, 5000, 'line ');
  const result = await run(
    manifold,
    ['fan', '--threads', '-j', '2', '--block', '4K', '--merge', 'ordered', '--', filter],
    input,
  );
  expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: input.toUpperCase() });
});
