import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { root } from '../helpers.js';

/**
 * The benchmark suite on small data: every case runs and lands in the table. No timing is
 * asserted; this proves `npm run bench` works, as CI cannot afford the full run.
 */
it('npm run bench -- --quick runs every case and prints the table', async () => {
  const { stdout } = await execa('node', [`${root}dist/bench/run.js`, '--quick'], {
    timeout: 420_000,
  });
  const rows = stdout
    .split('\n')
    .filter((line) =>
      /^\| (sdk|fan|hash|cpu|memory|startup|pipeline|words|table|hosts|queue) \|/.test(line),
    );
  // Cells are split on the | that are not escaped inside a case's name.
  const cells = (row: string) => row.split(/(?<!\\)\|/);
  const groups = new Set(rows.map((row) => cells(row)[1]!.trim()));
  // The hosts group needs sshd (openssh-server), as the hosts tests do.
  const sshd = existsSync('/usr/sbin/sshd') ? ['hosts'] : [];
  expect([...groups].sort()).toEqual([
    'cpu',
    'fan',
    'hash',
    ...sshd,
    'memory',
    'pipeline',
    'queue',
    'sdk',
    'startup',
    'table',
    'words',
  ]);
  for (const row of rows) {
    const seconds = Number(cells(row)[3]);
    expect(seconds, row).toBeGreaterThan(0);
  }
  const parallel =
    (await execa('bash', ['-c', 'command -v parallel'], { reject: false })).exitCode === 0;
  expect(stdout).toContain(parallel ? 'GNU parallel: present.' : 'GNU parallel: **missing**');
  if (parallel) expect(stdout).toMatch(/parallel --pipepart/);
  expect(stdout).toMatch(/\d+ MB peak RSS/);
  expect(stdout).toMatch(/% CPU in manifold/);
  expect(stdout).toMatch(/MB private, peak sum of the workers/);
  expect(stdout).toMatch(/\d+ lookups\/s/);
  expect(stdout).toMatch(/[\d.]+ MB\/s \|/);
  expect(stdout).toMatch(/s longer; clean run/);
}, 450_000);

it('npm run bench -- --only runs only the groups named', async () => {
  const { stdout } = await execa(
    'node',
    [`${root}dist/bench/run.js`, '--quick', '--only', 'startup'],
    {
      timeout: 120_000,
    },
  );
  const groups = stdout
    .split('\n')
    .filter((line) => /^\| \w+ \|/.test(line) && !line.startsWith('| group'))
    .map((line) => line.split('|')[1]!.trim());
  expect(groups).toEqual(['startup']);
}, 150_000);
