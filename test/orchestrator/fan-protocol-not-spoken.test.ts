import { describe, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { records } from '../support/lines.js';

// `manifold fan --protocol manifold -- cat`: cat is no SDK filter. GNU cat refused the
// `--protocol` manifold adds and each of the -j workers printed its usage (a flood of
// "cat: unrecognized option" lines) before "exited with status 1 on block 1"; a command that
// echoes its input had the echo of the first block's message read as that block's output, and
// written out. Now one line says the worker does not speak the protocol, and the run is a
// usage error (status 2), as --threads refuses a command that is no SDK filter.

const notSpoken = (command: string, what: string) =>
  new RegExp(
    `^manifold: worker \\d \\(pid \\d+: ${command} --protocol manifold --split lines\\) does not speak manifold's block protocol: it (${what}) before its greeting \\(--protocol manifold runs SDK filters, that call defineFilter\\(\\.\\.\\.\\)\\.main\\(\\): run it without --protocol\\)\\n$`,
  );

describe.concurrent('--protocol manifold with a command that does not speak it', () => {
  const input = records(1, 100_000);

  it('a command that refuses --protocol: one line, status 2, none of its usage', async ({
    expect,
  }) => {
    const result = await run(
      manifold,
      ['fan', '-j', '4', '--protocol', 'manifold', '--', 'cat'],
      input,
    );
    expect(result.stderr).toMatch(notSpoken('cat', 'exited with status 1'));
    expect(result.exitCode).toBe(2);
    expect(result.stdout.length).toBe(0);
  });

  // The input is one block: the worker given it echoes the message; the two given none read
  // the end of their input and exit 0, without a greeting either. Which is told first is a race
  // (under load in CI, an idle worker's exit was): both are the one line.
  it('a command that echoes the messages: one line, status 2, nothing written', async ({
    expect,
  }) => {
    const args = ['fan', '-j', '3', '--retries', '2', '--halt', 'never', '--protocol', 'manifold'];
    const result = await run(manifold, [...args, '--', 'sh', '-c', 'cat', 'x'], input);
    expect(result.stderr).toMatch(
      notSpoken('sh -c cat x', 'wrote other output|exited with status 0'),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stdout.length).toBe(0);
  });
});
