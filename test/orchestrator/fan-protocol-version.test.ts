import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { fixture, manifold, run } from '../helpers.js';
import { records } from '../support/lines.js';

// A filter built against another manifold's SDK: its greeting names the version of the block
// protocol it speaks, and of its SDK. One this manifold does not speak stops the run in one
// line naming both, status 2, nothing written (it read "does not speak manifold's block
// protocol: it wrote other output before its greeting", as for `cat`). The empty greeting of
// version 1 (older SDKs) is the same protocol otherwise, and is understood.

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };
const shown = version.replaceAll('.', '\\.');

const greeter = fixture('greet-version.js');
const fan = (greeting: string, input: string) =>
  run(
    manifold,
    ['fan', '-j', '2', '--merge', 'ordered', '--protocol', 'manifold', '--', greeter, greeting],
    input,
  );

describe.concurrent('the protocol greeting names its version', () => {
  const input = records(1, 1000);

  it('a newer protocol: one line naming both versions, status 2', async ({ expect }) => {
    const result = await fan('{"protocol":3,"sdk":"9.1.0"}', input);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: worker \\d \\(pid \\d+: ${greeter} \\{"protocol":3,"sdk":"9\\.1\\.0"\\} --protocol manifold --split lines\\) speaks version 3 of manifold's block protocol \\(its SDK is manifold-pipes 9\\.1\\.0\\), and this manifold \\(${shown}\\) speaks version 2: run it with manifold 9\\.1\\.0, or build it against manifold-pipes ${shown}\\n$`,
      ),
    );
    expect({ exitCode: result.exitCode, stdout: result.stdout.length }).toEqual({
      exitCode: 2,
      stdout: 0,
    });
  });

  it('an SDK that does not say its own version: the protocol version alone', async ({ expect }) => {
    const result = await fan('{"protocol":0}', input);
    expect(result.stderr).toMatch(
      /\) speaks version 0 of manifold's block protocol, and this manifold \([^)]+\) speaks version 2: run it with the manifold of its SDK, or build it against manifold-pipes [^ ]+\n$/,
    );
    expect(result.stderr.split('\n').length).toBe(2);
    expect(result.exitCode).toBe(2);
  });

  it("version 1's empty greeting is understood: the run is the input", async ({ expect }) => {
    const result = await fan('', input);
    expect({
      exitCode: result.exitCode,
      stderr: result.stderr,
      same: result.stdout.toString() === input,
    }).toEqual({ exitCode: 0, stderr: '', same: true });
  });

  it('a greeting that is not JSON is no greeting', async ({ expect }) => {
    const result = await fan('hello', input);
    expect(result.stderr).toMatch(
      /does not speak manifold's block protocol: it wrote other output before its greeting/,
    );
    expect(result.exitCode).toBe(2);
  });
});
