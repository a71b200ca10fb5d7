import { describe, expect, it } from 'vitest';
import { blockHeader } from '../../filters/protocol.js';
import { bin, run } from '../helpers.js';

// A filter under --protocol manifold whose input ends inside a message (not the protocol at
// all, or a block cut short) says so, exit 1: it dropped the input, exit 0, output none.

const map = bin('mf-map');

describe('--protocol manifold given input that ends inside a message', () => {
  it.each([
    ['text that is no protocol', Buffer.from('hello world, more than sixteen bytes\n'), 37],
    ['a block cut short', Buffer.concat([blockHeader(1, 10, 1), Buffer.from('a\nb\n')]), 20],
    ['a header cut short', blockHeader(1, 2, 1).subarray(0, 9), 9],
  ])('%s: one line, exit 1', async (_what, input, bytes) => {
    const result = await run(map, ['--protocol', 'manifold', 'r'], input);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 1,
      stderr: `mf-map: the input ends inside a message of manifold's block protocol (${bytes} bytes of it): --protocol manifold is for manifold fan to give, which sends whole blocks\n`,
    });
  });

  it('whole blocks, then the end: exit 0', async () => {
    const input = Buffer.concat([blockHeader(1, 4, 1), Buffer.from('a\nb\n')]);
    const result = await run(map, ['--protocol', 'manifold', 'r'], input);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 0,
      stderr: '',
    });
  });
});
