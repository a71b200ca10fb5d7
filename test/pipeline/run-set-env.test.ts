// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are configs' variables, not JavaScript's.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run as runApi } from '../../orchestrator/index.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// --set NAME=VALUE is NAME=VALUE in manifold's environment, for the config's ${NAME} and for
// the processes alike, as `NAME=VALUE manifold run` and make's `make NAME=VALUE` give it to
// their commands: one value per name, not the environment's NAME (or none) for the stages
// while ${NAME} reads the --set value.

const SHOW = `sed "s/^/[$GREETING] /"`;

describe('--set and the stages environment', () => {
  it.each([
    ['a command', `  - run: ${SHOW}\n`],
    ['a fan worker', `  - fan: {workers: 1, worker: '${SHOW}'}\n`],
    ['a branch', `  - branches: {a: [{run: '${SHOW}'}]}\n`],
  ])('%s sees the --set value: it saw none', async (_, stage) => {
    const file = writeConfig(tempDir(), `stages:\n${stage}`);
    const ran = await runConfig(file, 'x\n', { args: ['--set', 'GREETING=hello'] });
    expect(outcome(ran)).toEqual({ exitCode: 0, stderr: '', stdout: '[hello] x\n' });
  });

  it('wins over the environment, and the config env over it, as for ${}', async () => {
    const file = writeConfig(tempDir(), `stages:\n  - run: echo "\${GREETING} $GREETING"\n`);
    const set = await runConfig(file, '', {
      args: ['--set', 'GREETING=set'],
      env: { GREETING: 'environment' },
    });
    expect(outcome(set)).toEqual({ exitCode: 0, stderr: '', stdout: 'set set\n' });
    const configured = writeConfig(
      tempDir(),
      `env: {GREETING: config}\nstages:\n  - run: echo "\${GREETING} $GREETING"\n`,
    );
    const ran = await runConfig(configured, '', { args: ['--set', 'GREETING=set'] });
    expect(outcome(ran)).toEqual({ exitCode: 0, stderr: '', stdout: 'config config\n' });
  });

  it("the library's set does the same", async () => {
    const chunks: Buffer[] = [];
    const output = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await runApi(
      { stages: [{ run: 'echo "$GREETING"' }] },
      { input: '/dev/null', output, set: { GREETING: 'hello' } },
    );
    expect(Buffer.concat(chunks).toString()).toBe('hello\n');
  });
});
