import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';
import { tempDir } from '../support/temp.js';

const folder = () => tempDir('manifold-run-options-');

describe('manifold run --progress and --verbose', () => {
  it('--progress draws a line per stage on stderr when it is a terminal, nothing otherwise', async () => {
    const dir = folder();
    // The first stage paces its output over about half a second (a timer for pacing), so the
    // line is drawn at least once.
    const pace =
      "let n = 0; const t = setInterval(() => { process.stdout.write('x'.repeat(100000) + '\\\\n'); if (++n === 10) clearInterval(t); }, 50);";
    writeFileSync(
      join(dir, 'p.yaml'),
      [
        'stages:',
        '  - name: source',
        `    run: [node, -e, "${pace}"]`,
        '  - name: sink',
        '    run: [wc, -c]',
        '',
      ].join('\n'),
    );
    const command = `node ${manifold} run --progress ${dir}/p.yaml < /dev/null > ${dir}/out.txt`;
    const tty = await execa('script', ['-qec', command, '/dev/null'], { reject: false });
    expect(tty.exitCode).toBe(0);
    expect(tty.stdout).toMatch(/\r\d+\.\d s \| source [\d.]+ MB[^|]*\| sink [\d.]+ MB/);
    const plain = await execa('bash', ['-c', command], { reject: false });
    expect({ code: plain.exitCode, stderr: plain.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('--verbose says what was decided for a fan stage; without it, nothing', async () => {
    const dir = folder();
    writeFileSync(
      join(dir, 'v.yaml'),
      'stages:\n  - name: up\n    fan:\n      workers: 2\n      merge: ordered\n      worker: [tr, a-z, A-Z]\n',
    );
    const verbose = await execa('node', [manifold, 'run', '--verbose', join(dir, 'v.yaml')], {
      input: 'abc\n',
    });
    expect(verbose.stdout).toBe('ABC');
    expect(verbose.stderr).toMatch(
      /^manifold: stage up: merge: ordered needs each output tied to its block: running a fresh worker per block/,
    );
    const quiet = await execa('node', [manifold, 'run', join(dir, 'v.yaml')], { input: 'abc\n' });
    expect({ stdout: quiet.stdout, stderr: quiet.stderr }).toEqual({ stdout: 'ABC', stderr: '' });
  });
});

describe('manifold run --stats', () => {
  it('counts the records in and out of a fan stage, and on the edge after it', async () => {
    const dir = folder();
    writeFileSync(
      join(dir, 's.yaml'),
      'stages:\n  - name: up\n    fan:\n      workers: 2\n      worker: [tr, a-z, A-Z]\n  - run: [cat]\n',
    );
    const input = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const result = await execa('node', [manifold, 'run', '--stats', '-', join(dir, 's.yaml')], {
      input: `${input}\n`,
    });
    const stats = JSON.parse(result.stderr) as {
      stages: { stage: string; records?: { in: number; out: number } }[];
      edges: { from: string; records?: number }[];
    };
    expect(stats.stages[0]).toMatchObject({ stage: 'up', records: { in: 1000, out: 1000 } });
    expect(stats.stages[1]!.records).toBeUndefined();
    expect(stats.edges[0]).toMatchObject({ from: 'up', records: 1000 });
  });
});
