import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../helpers.js';
import { makeDir } from '../support/temp.js';

/**
 * The worked enrichment example (examples/enrich): its script, a sharded table of users and a
 * hash-partitioned fan of mf-join, gives what coreutils join over sorted input gives.
 */
const cwd = join(root, 'examples', 'enrich');
const { dir, remove } = makeDir('manifold-enrich-');
afterAll(remove);
const users = join(dir, 'users.tsv');
const events = join(dir, 'events.tsv');
// The scripts call `manifold` and `mf-join` by name, as a user's shell finds them once installed.
const env = { PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` };

beforeAll(async () => {
  await execa('bash', ['-c', `node generate.mjs users 6000 > '${users}'`], { cwd });
  await execa('bash', ['-c', `node generate.mjs events 80000 6000 > '${events}'`], { cwd });
});

const bash = async (args: string[]) => {
  const result = await execa('bash', args, { cwd, env, stripFinalNewline: false });
  expect(result.stderr).toBe('');
  return result.stdout;
};

describe('examples/enrich', () => {
  it.each([
    ['inner', 4],
    ['inner', 3],
    ['anti', 4],
    ['inner', 1],
  ])('%s join on %i workers gives what join over sorted input gives', async (mode, workers) => {
    const enriched = await bash(['enrich.sh', users, events, String(workers), mode]);
    const reference = await bash(['sequential.sh', users, events, mode]);
    const count = reference.split('\n').length - 1;
    // About 90% of the events find their user, the rest are the anti-join's.
    expect(count).toBeGreaterThan(mode === 'inner' ? 60_000 : 4_000);
    expect(enriched).toBe(reference);
  });
});
