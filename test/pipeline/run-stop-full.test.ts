import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeAll, openPipes } from '../../orchestrator/pipeline/pipes.js';
import { manifold } from '../helpers.js';
import { onCleanup } from '../support/cleanup.js';
import { commandOf, descendants, holdsWithin, writingIntoFullPipe } from '../support/proc.js';
import { within } from '../support/spawn.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// A combiner whose output is not read waits for room in it. Stopped then (SIGTERM), the wait
// ends with the stop, as the fan's own wait does (both are `roomIn`): a wait that woke only
// when the output drained or closed, which `stop` does neither of, would hang `manifold run`
// with its stages gone.

/** 24 MiB of lines: more than the pipes and the combiner's 8 MiB output buffer hold. */
const INPUT = () => fileWith('manifold-stop-full-', `${'y'.repeat(63)}\n`.repeat(3 << 17));

describe('a combiner stopped while its output is full', () => {
  it.each(['concat', 'merge'])(
    'combine: %s ends on SIGTERM (143)',
    { timeout: 60_000 },
    async (combine) => {
      const config = writeConfig(
        tempDir(),
        `input: ${INPUT()}\nstages:\n  - branches:\n      a:\n        - run: cat\n      b:\n        - run: cat\n    combine: ${combine}\n`,
      );
      const pipe = openPipes(1)[0]!;
      onCleanup(() => closeAll([pipe.read]));
      const child = spawn(manifold, ['run', config], {
        stdio: ['ignore', pipe.write, 'pipe'],
      });
      onCleanup(() => child.kill('SIGKILL'));
      closeSync(pipe.write);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // Both branches' cats blocked writing: the combiner takes no more, its output full.
      const cats = () => descendants(child.pid!).filter((pid) => commandOf(pid) === 'cat');
      const full = await holdsWithin(() => {
        const now = cats();
        return now.length > 0 && now.every(writingIntoFullPipe);
      }, 20_000);
      expect(full, 'the branches blocked writing within 20 s').toBe(true);
      child.kill('SIGTERM');
      const [code, signal] = await within(once(child, 'exit'), 10_000, () => 'manifold run hung');
      expect([143, 'SIGTERM']).toContain(code ?? signal);
      expect(stderr).not.toMatch(/^manifold:.*(Error|at )/m);
    },
  );
});
