import { once } from 'node:events';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { descendants, leftovers, tracked } from '../support/proc.js';
import { spawnManifold, watch, within } from '../support/spawn.js';
import { tempDir as makeTempDir, writeConfig } from '../support/temp.js';

// `manifold run <config>` interrupted: manifold started as a child of the test, its stages as
// processes we can watch in /proc; on SIGINT or SIGTERM nothing of it is left.

const tempDir = () => makeTempDir('manifold-pipe-run-');

/**
 * Starts `config` (whose stages include `hanging` pipe-hang processes), waits until they all
 * hang, sends `signal`, and returns how manifold ended and what of its processes is left.
 */
async function interrupt(
  dir: string,
  config: string,
  hanging: number,
  signal: NodeJS.Signals,
  env: Record<string, string> = {},
) {
  const pids = join(dir, 'pids');
  mkdirSync(pids);
  const child = spawnManifold(['run', config], { PIPE_PIDS: pids, ...env }, tempDir());
  const stderr = watch(child.stderr!);
  child.stdout!.resume();
  // Input keeps coming: stdin stays open until manifold is gone.
  child.stdin!.write(numbered(1, 1000));
  await within(
    stderr.waitFor(/^pipe-hang: ready \d+$/, hanging),
    10_000,
    () => `the stages did not all start:\n${stderr.text}`,
  );
  const family = tracked(descendants(child.pid!));
  const whileRunning = readdirSync(dir).filter((f) => f !== 'pids');
  child.kill(signal);
  const [code, killedBy] = await within(
    once(child, 'exit'),
    10_000,
    `manifold did not exit within 10 s of ${signal}`,
  );
  return {
    family,
    hung: readdirSync(pids).length,
    whileRunning,
    end: { code, killedBy },
    stderr: () => stderr.text,
  };
}

describe('signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    // These three killed manifold alone, exit 131, 140, 142, its stages (each leading its own
    // process group) left running: Ctrl-\ at a terminal reaches manifold's group only.
    ['SIGQUIT', 131],
    ['SIGUSR2', 140],
    ['SIGALRM', 142],
  ] as const)(
    'on %s while stages hang: exits %i, every process gone, no output file',
    async (signal, status) => {
      const dir = tempDir();
      const hang = fixture('pipe-hang');
      const config = writeConfig(
        dir,
        [
          'output: out.txt',
          'stages:',
          '  - run: cat',
          '  - name: fanned',
          '    fan:',
          '      workers: 2',
          // Each of the two is given a block: a worker starts with its first.
          '      records: 1',
          '      dispatch: round-robin',
          `      worker: ${hang}`,
          `  - run: cat | ${hang}`,
          `  - run: [${hang}]`,
          '',
        ].join('\n'),
      );
      const { family, hung, whileRunning, end, stderr } = await interrupt(dir, config, 4, signal);
      // While it ran, the output went to a temporary file beside out.txt, its name unguessable.
      expect(whileRunning.sort()).toEqual([
        expect.stringMatching(/^\.out\.txt\.manifold-[0-9a-f]{16}\.tmp$/),
        'pipeline.yaml',
      ]);
      expect(hung).toBe(4);
      expect(family.length).toBeGreaterThanOrEqual(7);
      expect(end).toEqual({ code: status, killedBy: null });
      expect(await leftovers(family, 5000)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['pids', 'pipeline.yaml']);
      expect(stderr()).not.toMatch(/^manifold:|Error/m);
    },
  );

  it.each([
    ['SIGINT', 130, 'combine: concat'],
    ['SIGTERM', 143, 'combine: concat'],
    ['SIGINT', 130, 'combine: merge'],
    ['SIGTERM', 143, 'combine: merge'],
    ['SIGINT', 130, 'join: cat {stuck} {flowing}'],
    ['SIGTERM', 143, 'join: cat {stuck} {flowing}'],
  ] as const)(
    'on %s while a branch hangs: exits %i, every process gone, no output file (%s)',
    async (signal, status, combine) => {
      const dir = tempDir();
      const config = writeConfig(
        dir,
        [
          'output: out.txt',
          'stages:',
          '  - run: cat',
          '  - branches:',
          '      stuck:',
          `        - run: [${fixture('pipe-hang')}]`,
          '      flowing:',
          '        - run: cat',
          `    ${combine}`,
          '',
        ].join('\n'),
      );
      // A concat's spool folder goes too.
      const spools = tempDir();
      const { family, end, stderr } = await interrupt(dir, config, 1, signal, { TMPDIR: spools });
      expect(readdirSync(spools)).toEqual([]);
      expect({ ...end, stderr: stderr() }).toEqual({
        code: status,
        killedBy: null,
        stderr: expect.not.stringMatching(/manifold:|Error/),
      });
      expect(await leftovers(family, 5000)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['pids', 'pipeline.yaml']);
    },
  );
});
