import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// A stage whose arguments and environment are longer than the kernel takes (E2BIG, which Node
// throws where it says other start errors by 'error'): one line naming the stage, its command
// cut to a line's length. It was `manifold: Error: spawn E2BIG`, no stage named.

const config = (text: string) => {
  const file = join(tempDir('manifold-too-long-'), 'big.yaml');
  writeFileSync(file, text);
  return file;
};
const long = 'a'.repeat(140_000);

describe('a stage too long for the system to start', () => {
  it('its arguments: one line, the stage named, its command cut', async () => {
    const result = await run(manifold, [
      'run',
      config(`stages:\n  - name: big\n    run: [echo, ${long}]\n`),
    ]);
    expect({ exit: result.exitCode, err: result.stderr }).toEqual({
      exit: 1,
      err: expect.stringMatching(
        /^manifold: stage big \(echo a{235}… \(140005 characters\)\) cannot start: its arguments and environment are longer than the system takes \(E2BIG: getconf ARG_MAX\)\n$/,
      ),
    });
  });

  it('its environment, a fan of it too', async () => {
    const env = await run(
      manifold,
      ['run', config(`env:\n  BIG: ${long}\nstages:\n  - run: cat\n`)],
      'x\n',
    );
    expect(env.stderr).toMatch(
      /^manifold: stage stages\[0\] \(cat\) cannot start: .*\(E2BIG: getconf ARG_MAX\)\n$/,
    );
    const fan = await run(
      manifold,
      ['run', config(`stages:\n  - env: {BIG: ${long}}\n    fan: {workers: 2, worker: cat}\n`)],
      'x\n',
    );
    expect(fan.stderr).toMatch(
      /^manifold: stage stages\[0\]: cannot start worker 1: .*\(E2BIG: getconf ARG_MAX\)\n$/,
    );
  });
});
