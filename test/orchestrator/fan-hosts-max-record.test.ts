import { describe, it } from 'vitest';
import { fan } from '../support/fan-run.js';
import { numbered, records } from '../support/lines.js';
import { useTestHosts } from '../support/sshd.js';

// A record over --max-record in the output of a worker on a host (--host) was named by its
// slot alone (`worker 1 output of block 3 (...)`), as though it ran here; the queue names the
// machine (`job "J": queue worker on HOST: worker 1 output ...`). It is now named by its host
// too: `host h1: worker 1 output of block 3 (...)`.

const test = useTestHosts(2);

/** On h1, a 3000-byte record (then cat, for a worker that stays); elsewhere cat. */
const bigOnH1 = [
  '--shell',
  '--',
  'case $HOME in */h1/home) head -c 3000 /dev/zero | tr "\\0" x; echo; exec cat;; *) exec cat;; esac',
];

const input = numbered(1, 20_000);
const hosts = () => ['--ssh', test.ssh, '--host', 'h1/1', '--host', 'h2/1', '--max-record', '1K'];
const TOO_LARGE =
  'record is larger than the maximum record size 1 KiB \\(2\\.9 KiB so far\\); raise it with --max-record';

describe("a record over --max-record in a host's worker's output", () => {
  it('tied to a block: named by the host, the slot and the block', async ({ expect }) => {
    const args = [...hosts(), '--merge', 'ordered', '--per-block', '--block', '8K', ...bigOnH1];
    const result = await fan(args, input);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: host h1: worker 1 output of block \\d+ \\(records \\d+-\\d+\\): ${TOO_LARGE}$`,
        'm',
      ),
    );
  });

  it('of a worker that stays: named by the host and the slot', async ({ expect }) => {
    const result = await fan([...hosts(), '--block', '8K', ...bigOnH1], input);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^manifold: host h1: worker 1 output: ${TOO_LARGE}$`, 'm'),
    );
  });

  it("in a sorted merge's run: named by the host, the slot and the block", async ({ expect }) => {
    // Input sorted as it is, so h2's cat writes sorted output: numbered lines (9 before 10)
    // made h2's blocks unsorted, and h2 failed the run first whenever h1 was slow to start.
    const args = [...hosts(), '--merge', 'sorted', '--per-block', '--block', '8K', ...bigOnH1];
    const result = await fan(args, records(1, 8_000), { env: { LC_ALL: 'C' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^manifold: host h1: worker 1 output of block \\d+ \\(records \\d+-\\d+\\):\\d+: ${TOO_LARGE}$`,
        'm',
      ),
    );
  });
});
