import { describe, expect, it } from 'vitest';
import { variedLines } from '../support/data.js';
import { byteDiff, sameBytes } from '../support/diff.js';
import { C, fan, OK, ok } from '../support/fan-run.js';
import { useTestHosts } from '../support/sshd.js';

// manifold fan --host against real sshd test hosts (test/support/sshd.ts): the same bytes as
// the local fan, for every merge and dispatch.

const test = useTestHosts(2);

const input = `${variedLines(5_000, 7).join('\n')}\n`;

describe('manifold fan --host: the same output as the local fan', () => {
  const cases: [string, string[]][] = [
    ['ready merge', ['--', 'cat']],
    ['ordered, per block', ['--merge', 'ordered', '--', 'cat']],
    ['ordered, one-to-one', ['--merge', 'ordered', '--one-to-one', '--', 'cat']],
    [
      'ordered, protocol',
      ['--merge', 'ordered', '--protocol', 'manifold', '--', 'mf-map', 'r.toUpperCase()'],
    ],
    ['sorted', ['--merge', 'sorted', '--', 'sort']],
    [
      'hash dispatch',
      ['--dispatch', 'hash', '--key', 'field:1', '--shell', '--', 'sort | uniq -c | sort'],
    ],
    [
      'round-robin, ordered',
      ['--dispatch', 'round-robin', '--merge', 'ordered', '--', 'tr', 'a-z', 'A-Z'],
    ],
    ['broadcast', ['--dispatch', 'broadcast', '--', 'wc', '-l']],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const common = ['-j', '2', '--block', '8K', ...args];
      const [local, remote] = await Promise.all([
        fan(common, input, C),
        fan([...test.args(), ...common], input, C),
      ]);
      expect(ok(local)).toEqual(OK);
      expect(ok(remote)).toEqual(OK);
      if (name === 'ready merge' || name === 'hash dispatch' || name === 'broadcast') {
        const expected = sortLines(local.stdout);
        expect(byteDiff(sortLines(remote.stdout), expected)).toEqual(sameBytes(expected));
      } else {
        expect(byteDiff(remote.stdout, local.stdout)).toEqual(sameBytes(local.stdout));
      }
    });
  }
});

function sortLines(data: Buffer): Buffer {
  const lines = data.toString('latin1').split('\n');
  return Buffer.from(lines.sort().join('\n'), 'latin1');
}
