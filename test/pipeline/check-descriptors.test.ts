import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { fileWith, tempDir, writeConfig } from '../support/temp.js';

// `manifold check` passed `input: /dev/fd/3` (or `output: /dev/fd/3`) when the shell gave no 3:
// in manifold's own process 3 is open (Node's epoll), so the file "existed". `manifold run`
// refuses it, one line, exit 1 (given-descriptor.ts): check now says the same line, as run does.

function manifoldIn(script: string, ...args: string[]) {
  const result = spawnSync('bash', ['-c', script, manifold, ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, stderr: result.stderr };
}

const CONFIGS = [
  ['input', () => ({ input: '/dev/fd/3', stages: [{ run: 'cat' }] })],
  [
    'output',
    () => ({
      input: fileWith('manifold-check-fd-', 'a\n'),
      output: '/dev/fd/3',
      stages: [{ run: 'cat' }],
    }),
  ],
] as const;

describe('check: a descriptor the shell did not give', () => {
  it.each(CONFIGS)('named as the %s is the line run says, exit 1', (_key, config) => {
    const file = writeConfig(tempDir(), config());
    const ran = manifoldIn(`"$0" run "$1" </dev/null`, file);
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(
      /^manifold: cannot (read|write) \w+ "\/dev\/fd\/3": descriptor 3 .*\n$/,
    );
    expect(manifoldIn(`"$0" check "$1"`, file)).toEqual(ran);
  });

  it.each(CONFIGS)('named as the %s and given, passes', (key, config) => {
    const file = writeConfig(tempDir(), config());
    const give = key === 'input' ? `3< <(echo a)` : '3>/dev/null';
    expect(manifoldIn(`"$0" check "$1" ${give}`, file)).toEqual({ status: 0, stderr: '' });
  });
});
