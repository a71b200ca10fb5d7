import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// Fan stages in a pipeline config: they give what the stages without them give, and take the
// options `manifold fan` has, under the same names.

const shuffled = Array.from({ length: 20_000 }, (_, i) => `${(i * 7919) % 20_000}\n`).join('');

describe('merge-memory in a config', () => {
  const config = (extra: object) => ({
    stages: [
      {
        fan: {
          workers: 2,
          block: '8K',
          merge: 'sorted',
          attribution: 'per-block',
          worker: ['sort'],
          ...extra,
        },
      },
    ],
  });

  it('bounds what the sorted merge holds: past it, runs spill to $TMPDIR', async () => {
    const dir = tempDir();
    const env = { LC_ALL: 'C', TMPDIR: join(dir, 'no-such-folder') };
    // Held in memory (the default, 64M): no temporary file is needed, so a missing TMPDIR is fine.
    const held = await run(manifold, ['run', writeConfig(dir, config({}))], shuffled, { env });
    expect(held.stderr).toBe('');
    expect(held.stdout.toString()).toBe(`${shuffled.split('\n').slice(0, -1).sort().join('\n')}\n`);
    // With 8K, the merge spills, and the missing TMPDIR shows it.
    const small = writeConfig(dir, config({ 'merge-memory': '8K' }), 'small.yaml');
    const spilled = await run(manifold, ['run', small], shuffled, { env });
    expect(spilled.exitCode).toBe(1);
    expect(spilled.stderr).toMatch(
      /cannot spill the sorted merge to a temporary file in .*no-such-folder/,
    );
  });
});

describe('fan stages in a pipeline', () => {
  const input = numbered(1, 20_000, 'row ');

  /** A config of one fan (2 workers, 4K blocks, ordered, one-to-one) whose worker is `stages`. */
  const workerStages = (...stages: string[]) =>
    writeConfig(
      tempDir(),
      [
        'stages:',
        '  - fan:',
        '      workers: 2',
        '      block: 4K',
        '      merge: ordered',
        '      attribution: one-to-one',
        '      worker:',
        '        stages:',
        ...stages.map((stage) => `          ${stage}`),
        '',
      ].join('\n'),
    );

  it('a failed worker of a sub-pipeline is named in one line', async () => {
    // Each stage of a worker's sub-pipeline ends its own line (`{ cat\n} | ...`): the message
    // named the command as it was, over three lines.
    const config = writeConfig(tempDir(), {
      stages: [{ fan: { workers: 1, worker: { stages: [{ run: 'cat' }, { run: 'exit 3' }] } } }],
    });
    const result = await runConfig(config, 'a\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: stage stages\[0\]: worker 1 \(pid \d+: \{ cat \} \| \{ exit 3 \}\) exited with status 3[^\n]*\n$/,
    );
  });

  it('a middle fan of cat (ordered) gives what the stages without it give', async () => {
    const dir = tempDir();
    const stages = [
      '  - run: sed s/row/r/',
      '  - fan:',
      '      workers: 3',
      '      block: 8K',
      '      merge: ordered',
      '      worker: cat',
      '  - run: [tr, r, R]',
    ];
    const fanned = writeConfig(dir, `stages:\n${stages.join('\n')}\n`, 'fanned.yaml');
    const plain = writeConfig(dir, `stages:\n${[stages[0], stages[6]].join('\n')}\n`, 'plain.yaml');
    const sequential = await runConfig(plain, input);
    expect(sequential.stdout.toString()).toBe(input.replace(/row/g, 'R'));
    expect(outcome(await runConfig(fanned, input))).toEqual(outcome(sequential));
  });

  it("a last fan writes a shell pipe (manifold's stdout) in order, every byte", async () => {
    // Written from the thread pool, unlike the pipes between stages: see orchestrator/fan/output.ts.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      'stages:\n  - run: cat\n  - fan:\n      workers: 2\n      block: 8K\n      merge: ordered\n      worker: cat\n',
    );
    writeFileSync(join(dir, 'input'), input);
    const script = `${manifold} run '${config}' < '${join(dir, 'input')}' | cat; echo "\${PIPESTATUS[0]}" >&2`;
    const result = await run('bash', ['-c', script], '', { timeout: 20_000 });
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '0\n', stdout: input });
  });

  it('a fan of mf-map under the block protocol, ordered, gives the sequential output', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      [
        'stages:',
        '  - run: cat',
        '  - name: shout',
        '    fan:',
        '      workers: 3',
        '      block: 8K',
        '      merge: ordered',
        '      attribution: protocol',
        '      worker:',
        `        filter: ${bin('mf-map')}`,
        '        args: [\'r.toUpperCase() + "?"\']',
        '  - run: cat',
        '',
      ].join('\n'),
    );
    const sequential = await run(bin('mf-map'), ['r.toUpperCase() + "?"'], input);
    expect(sequential.stdout.toString()).toBe(input.replace(/row (\d+)/g, 'ROW $1?'));
    expect(outcome(await runConfig(config, input))).toEqual(outcome(sequential));
  });

  it('a worker given as stages (a sub-pipeline of commands) works, quoting kept', async () => {
    const config = workerStages(
      `- run: [sed, -u, "s/row/it's \\"a\\"/"]`,
      `- run: "sed -u 's/a/A/' # a comment"`,
    );
    expect(outcome(await runConfig(config, input))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: input.replace(/row/g, `it's "A"`),
    });
  });

  it('a worker stage whose argument holds a newline (a two-line sed script) is quoted for /bin/sh', async () => {
    // The line is run by /bin/sh (dash here), which has no `$'...'`: messages quote a name with
    // a newline that way (quoteName), a command line must not (quoteForSh).
    const config = workerStages('- run: [sed, -u, "s/row/R/\\ns/R/X/"]', '- run: [cat]');
    expect(outcome(await runConfig(config, input))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: input.replace(/row/g, 'X'),
    });
  });
});

describe("parallel's conveniences in a config", () => {
  it('ok-status, header, joblog (relative to the config), timeout and halt, under their flag names', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, {
      stages: [
        {
          fan: {
            workers: 2,
            block: '1K',
            merge: 'ordered',
            header: 1,
            'ok-status': '0,1',
            timeout: '30s',
            halt: 'soon,fail=1',
            joblog: 'jobs.tsv',
            worker: ['grep', '-e', 'name', '-e', '^row 999$'],
          },
        },
      ],
    });
    const result = await runConfig(config, `name\n${numbered(1, 2000, 'row ')}`);
    expect(outcome(result)).toEqual({ exitCode: 0, stderr: '', stdout: 'name\nrow 999\n' });
    const rows = readFileSync(join(dir, 'jobs.tsv'), 'utf8').split('\n').filter(Boolean);
    expect(rows[0]).toMatch(/^Seq\tHost/);
    expect(rows.length).toBeGreaterThan(2);
  });

  it.each([
    ['auto', 'auto'],
    [':', "':'"],
    ['0', '0'],
  ])('header: %s is taken, as --header takes it', async (_, value) => {
    // The schema's pattern for `header` was `workers`' (a number, +N, -N, N%): auto and :,
    // which --header takes and config.md lists, were refused with an unrelated message.
    const dir = tempDir();
    const config = writeConfig(
      dir,
      ['stages:', `  - fan: {workers: 2, merge: ordered, header: ${value}, worker: cat}`, ''].join(
        '\n',
      ),
    );
    expect(outcome(await runConfig(config, 'id,n\n1,2\n'))).toEqual({
      exitCode: 0,
      stderr: '',
      stdout: 'id,n\n1,2\n',
    });
  });

  it("a bad header is a problem at its key, in --header's words", async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { stages: [{ fan: { header: 'x', worker: 'cat' } }] });
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /pipeline\.yaml:3:15: header must be a number of lines .*\(got x\)\n$/,
    );
  });

  it('every bad job value is a problem at its own key, all in one check', async () => {
    // timeout, delay, nice, halt, ok-status and header were checked only as the fan's options
    // were resolved: one problem a run, the first in that order, not the file's.
    const dir = tempDir();
    const lines = [
      'stages:',
      '  - fan:',
      '      timeout: soon',
      '      delay: 2x',
      '      nice: 99',
      '      halt: sometimes',
      '      ok-status: 300',
      '      header: x',
      '      worker: cat',
      '',
    ];
    const config = writeConfig(dir, lines.join('\n'));
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    const said = result.stderr
      .trim()
      .split('\n')
      .map((line) => /pipeline\.yaml:(\d+):\d+: ([\w-]+) must/.exec(line)?.slice(1, 3).join(' '));
    expect(said).toEqual(['3 timeout', '4 delay', '5 nice', '6 halt', '7 ok-status', '8 header']);
  });

  it('a bad field-sep is a problem at its own key, said once', async () => {
    // It was said at the line of the key it would split (key, group-by).
    const dir = tempDir();
    const lines = ['stages:', '  - fan:', '      key: field:2', '      field-sep: ",,"'];
    const config = writeConfig(dir, [...lines, '      worker: cat', ''].join('\n'));
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^[^\n]*pipeline\.yaml:4:18: field-sep ,, must be one character[^\n]*\n$/,
    );
  });

  it('a bad halt is a problem at its key', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, { stages: [{ fan: { halt: 'sometimes', worker: 'cat' } }] });
    const result = await run(manifold, ['check', config]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /pipeline\.yaml:\d+:\d+: halt must be now, soon or never.*\(got sometimes\)/,
    );
  });
});
