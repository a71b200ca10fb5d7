import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ManifoldError, run } from '../../orchestrator/index.js';
import { tempDir } from '../support/temp.js';

// The library's output is a pipe manifold reads itself, into the caller's Writable or
// descriptor. A last stage killed by SIGPIPE from a pipe of its own, while manifold still read,
// had its output cut short: the run rejected with manifold.outputClosed, as if the caller had
// closed the output. Now it fails the run, naming the stage.

/** Copies its input, and after 10 lines writes to a child it has waited for: SIGPIPE. */
const INNER = [
  'perl',
  '-e',
  "$| = 1; my $pid = open(my $p, '|-', 'true') or die; my $n = 0; while (<STDIN>) { print; if (++$n == 10) { waitpid($pid, 0); syswrite($p, 'x'); } }",
];
const CONFIG = { stages: [{ run: 'seq 1 100000' }, { name: 'inner', run: INNER }] };

async function failure(output: Writable | number): Promise<ManifoldError> {
  const error = await run(CONFIG, { input: '/dev/null', output }).then(
    () => null,
    (e: unknown) => e as ManifoldError,
  );
  if (error === null) throw new Error('the run resolved');
  return error;
}

const CUT_SHORT =
  /^stage inner \(perl .*\) was killed by SIGPIPE while manifold's output still had a reader: its output was cut short$/;

describe('run: the last stage killed by SIGPIPE of its own while its output is read', () => {
  it('into a Writable: manifold.failure naming the stage (was manifold.outputClosed)', async () => {
    const chunks: Buffer[] = [];
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    const error = await failure(output);
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'manifold.failure',
      message: expect.stringMatching(CUT_SHORT),
    });
    expect(Buffer.concat(chunks).toString().split('\n').length - 1).toBe(10);
  });

  it('into a descriptor of the caller: manifold.failure naming the stage', async () => {
    const out = join(tempDir(), 'out');
    const fd = openSync(out, 'w');
    let error: ManifoldError;
    try {
      error = await failure(fd);
    } finally {
      closeSync(fd);
    }
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'manifold.failure',
      message: expect.stringMatching(CUT_SHORT),
    });
    expect(readFileSync(out, 'utf8').split('\n').length - 1).toBe(10);
  });
});
