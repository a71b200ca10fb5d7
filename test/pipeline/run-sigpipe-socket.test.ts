import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { tempDir, writeConfig } from '../support/temp.js';

// The run's output a socket (Node's 'pipe' stdio is a socketpair), as stdout or given as 3
// (`output: /dev/fd/3`), judged as a pipe is: the last stage killed by SIGPIPE once the reader
// went is forgiven (manifold ends as a shell's pipe would, by SIGPIPE), and one killed by SIGPIPE
// of its own while the reader still read fails the run. A socket given as 3 cannot be opened
// anew through /proc, and is held another way (witness.ts): unheld, a reader gone would be
// taken for one still there, `... while manifold's output still had a reader`, exit 1.

/** Copies its input, and after 10 lines writes to a child it has waited for: SIGPIPE. */
const INNER = `["perl", "-e", "$| = 1; my $pid = open(my $p, '|-', 'true') or die; my $n = 0; while (<STDIN>) { print; if (++$n == 10) { waitpid($pid, 0); syswrite($p, 'x'); } }"]`;

const OUTPUTS = [
  ['stdout', '', 1],
  ['given as 3', 'output: /dev/fd/3\n', 3],
] as const;

/** manifold run `config` with the output on a socket at `fd`; `onData` sees what it writes. */
function runInto(config: string, fd: number, onData: (text: string, close: () => void) => void) {
  const stdio = ['ignore', fd === 1 ? 'pipe' : 'ignore', 'pipe', ...(fd === 3 ? ['pipe'] : [])];
  const child = spawn(manifold, ['run', config], { stdio: stdio as ('pipe' | 'ignore')[] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const output = child.stdio[fd] as Readable;
  output.setEncoding('utf8').on('data', (text: string) => onData(text, () => output.destroy()));
  return new Promise<{ status: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stderr })),
  );
}

describe.each(OUTPUTS)('run: the output a socket, as %s', (_as, output, fd) => {
  it('is a socket (what this test stands on)', () => {
    const stdio = ['ignore', 'pipe', 'pipe', 'pipe'] as const;
    const said = spawnSync('sh', ['-c', `readlink /proc/self/fd/${fd}`], {
      stdio: [...stdio],
      encoding: 'utf8',
    });
    expect(said.stdout).toMatch(/^socket:/);
  });

  it('the last stage killed by SIGPIPE once its reader went is forgiven, as for a pipe', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'go');
    execFileSync('mkfifo', [fifo]);
    // Writes once; writes again once told, by which time the reader has read it all and gone.
    const config = writeConfig(
      dir,
      `input: /dev/null\n${output}stages:\n  - run: echo a; read go < ${fifo}; echo b\n`,
    );
    const end = await runInto(config, fd, (_text, close) => {
      close();
      writeFileSync(fifo, 'go\n');
    });
    expect(end).toEqual({ status: null, signal: 'SIGPIPE', stderr: '' });
  });

  it('the last stage killed by SIGPIPE of its own while read fails the run, named', async () => {
    const config = writeConfig(
      tempDir(),
      `input: /dev/null\n${output}stages:\n  - run: seq 1 100000\n  - name: inner\n    run: ${INNER}\n`,
    );
    let got = '';
    const end = await runInto(config, fd, (text) => {
      got += text;
    });
    expect({ ...end, lines: got.split('\n').length - 1 }).toEqual({
      status: 1,
      signal: null,
      stderr: expect.stringMatching(
        /^manifold: stage inner \(perl .*\) was killed by SIGPIPE while manifold's output still had a reader: its output was cut short\n$/,
      ),
      lines: 10,
    });
  });
});
