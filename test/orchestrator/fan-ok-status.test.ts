import { describe, expect, it } from 'vitest';
import { fan, OK, ok } from '../support/fan-run.js';
import { numbered, oneLine, records } from '../support/lines.js';

// --ok-status: exit statuses that are not failures. grep exits 1 when it selects nothing, which
// without it fails the worker and the run.

const seq = (n: number) => numbered(1, n);

describe('--ok-status', () => {
  it("grep's 'no match' is no failure: the issue's case prints the match and exits 0", async () => {
    const args = ['-j2', '--merge', 'ordered', '--', 'grep', '^299999$'];
    const without = await fan(args, seq(300_000));
    expect(without.exitCode).toBe(1);
    expect(without.stderr).toMatch(/exited with status 1 on block/);
    const result = await fan(['--ok-status', '0,1', ...args], seq(300_000));
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('299999\n');
  }, 30_000);

  it('persistent workers without attribution: one exiting 1 at the end of its input is no failure', async () => {
    const result = await fan(
      ['-j', '2', '--block', '1K', '--ok-status', '1', '--', 'grep', '^000000000000100$'],
      records(1, 640),
    );
    expect(ok(result)).toEqual(OK);
    expect(result.stdout.toString()).toBe('000000000000100\n');
  }, 20_000);

  it('a persistent worker that answered all its blocks and exits 1 is done; one that did not has failed them', async () => {
    const answered = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--one-to-one',
        '--merge',
        'ordered',
        '--ok-status',
        '0,1',
        '--shell',
        '--',
        'cat; exit 1',
      ],
      records(1, 640),
    );
    expect(ok(answered)).toEqual(OK);
    expect(answered.stdout.toString()).toBe(records(1, 640));

    const unanswered = await fan(
      [
        '-j',
        '1',
        '--block',
        '1K',
        '--one-to-one',
        '--ok-status',
        '0,1',
        '--shell',
        '--',
        'head -n 100; exit 1',
      ],
      records(1, 640),
    );
    expect(unanswered.exitCode).toBe(1);
    expect(unanswered.stderr).toMatch(
      /^manifold: worker 1 \(pid \d+: head -n 100; exit 1\) exited with status 1 before finishing block 2 \(records 65-128\)\n$/,
    );
  }, 20_000);

  it('an accepted status is not retried, and a status not listed still fails', async () => {
    const accepted = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--retries',
        '2',
        '--ok-status',
        '0,1',
        '--verbose',
        '--',
        'grep',
        'nothing',
      ],
      records(1, 640),
    );
    expect(accepted.exitCode).toBe(0);
    expect(accepted.stderr).not.toMatch(/trying again/);
    const other = await fan(
      [
        '-j',
        '2',
        '--block',
        '1K',
        '--per-block',
        '--ok-status',
        '0,1',
        '--shell',
        '--',
        'cat >/dev/null; exit 3',
      ],
      records(1, 640),
    );
    expect(other.exitCode).toBe(1);
    expect(other.stderr).toMatch(/exited with status 3 on block/);
  }, 20_000);

  it.each([
    [
      '1,x',
      /^manifold: --ok-status must be exit statuses from 0 to 255, separated by commas, such as 0,1 \(got 1,x\) \(see 'manifold fan --help'\)\n$/,
    ],
    ['256', /^manifold: --ok-status must be exit statuses from 0 to 255/],
    [
      '0,127',
      /^manifold: --ok-status cannot accept 127: it says the command could not be run \(see 'manifold fan --help'\)\n$/,
    ],
  ])('--ok-status %s is a usage error', async (value, message) => {
    const result = await fan(['--ok-status', value, '--', 'cat'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(oneLine);
  });
});
