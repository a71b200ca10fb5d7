import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, run } from '../helpers.js';
import { expectProblems, tempDir } from '../support/check.js';
import { writeConfig } from '../support/temp.js';

// A config's problems name its keys as the config writes them (`attribution: protocol`,
// `threads`), not as `manifold fan`'s flags (`--protocol`, `--threads`): the option checks are
// shared with the command line, each given the caller's spelling of its options.

describe("a config's problems name its keys, not the command line's flags", () => {
  it('threads with a shell-string worker: it said "--threads ... (--shell)"', async () => {
    const text = 'stages:\n  - fan:\n      worker: {run: "awk 1", threads: true}\n';
    await expectProblems(text, [
      [
        '{run',
        /threads runs an SDK filter: .* in a thread, not a shell command line \(a string or stages worker\): give the module and its arguments$/,
      ],
    ]);
  });

  it('threads with a program that is no module: it said "run it without --threads"', async () => {
    const text = 'stages:\n  - fan:\n      worker: {run: [awk, "1"], threads: true}\n';
    await expectProblems(text, [
      [
        '{run',
        /threads runs an SDK filter: .*; awk \(.*\) is not a JavaScript module: run it without threads$/,
      ],
    ]);
  });

  it('threads with an attribution: it said "leave out per-block"', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      attribution: one-to-one',
      '      worker: {run: [mf-map, "r"], threads: true}',
      '',
    ].join('\n');
    await expectProblems(text, [
      [
        'one-to-one',
        /threads ties each block's output to it by itself: leave out attribution: one-to-one$/,
      ],
    ]);
  });

  it('the protocol with a shell-string worker: it said "adds protocol manifold ..., which shell cannot"', async () => {
    const text = 'stages:\n  - fan:\n      attribution: protocol\n      worker: "cat | cat"\n';
    await expectProblems(text, [
      [
        'protocol',
        /attribution: protocol needs a command run directly: manifold adds --protocol manifold to its arguments, which a string or stages worker cannot take$/,
      ],
    ]);
  });

  it('--verbose says why a fan runs per-block workers in the config\'s words: it said "--merge ordered"', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      'stages:\n  - name: up\n    fan:\n      merge: ordered\n      worker: [tr, a-z, A-Z]\n',
    );
    writeFileSync(join(dir, 'in.txt'), 'abc\n');
    const result = await run(manifold, ['run', '--verbose', config], 'abc\n');
    expect({ code: result.exitCode, stdout: result.stdout.toString() }).toEqual({
      code: 0,
      stdout: 'ABC\n',
    });
    expect(result.stderr).toMatch(
      /^manifold: stage up: merge: ordered needs each output tied to its block: running a fresh worker per block \(attribution: per-block\); attribution: one-to-one or attribution: protocol keep workers running\n/,
    );
  });
});

describe('field-sep without a key field:N', () => {
  it('is a problem at field-sep, as on the command line: it was ignored, exit 0', async () => {
    const text = [
      'stages:',
      '  - fan:',
      '      dispatch: hash',
      '      field-sep: ","',
      '      worker: cat',
      '  - fan:',
      '      merge: sorted',
      '      key: json:user',
      '      field-sep: tab',
      '      worker: cat',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['","', /field-sep , splits the fields of key field:N: it needs one \(key is whole\)$/],
      [
        'tab\n',
        /field-sep tab splits the fields of key field:N: it needs one \(key is json:user\)$/,
      ],
    ]);
  });
});

describe('hosts: that are no hosts', () => {
  it('say what hosts are: they said "hosts" must be a command', async () => {
    const text = ['hosts: 5', 'stages:', '  - fan: {worker: cat, hosts: []}', ''].join('\n');
    const what =
      /"hosts" must be a list of hosts, \[user@\]host\[:port\]\[\/slots\] \(":" is this machine\), none empty; or a map of list, file, ssh, remote-manifold, host-timeout, transfer and cleanup$/;
    await expectProblems(text, [
      ['5', what],
      ['[]', /hosts is an empty list: name one or more hosts, or leave the key out$/],
    ]);
  });
});

describe('a fixed framing of no size', () => {
  it('names the framing: it said split "0"', async () => {
    await expectProblems('stages:\n  - fan: {worker: cat, split: "fixed:0"}\n', [
      ['"fixed:0"', /split fixed:0: record size 0 must be at least 1 byte$/],
    ]);
  });
});

describe('a key that nothing reads', () => {
  it('is a problem at it, as numeric without a sorted merge is: it was ignored, exit 0', async () => {
    const text = [
      'stages:',
      '  - fan: {worker: cat, key: field:2}',
      '  - fan: {worker: cat, key: field:2, field-sep: ",", dispatch: round-robin}',
      '  - fan: {worker: cat, key: field:2, dispatch: hash}',
      '',
    ].join('\n');
    const needs =
      /key field:2 is the key of dispatch: hash and merge: sorted: it needs one of them$/;
    await expectProblems(text, [
      [['field:2', 1], needs],
      [['field:2', 2], needs],
    ]);
  });
});

describe('threads with a worker of stages', () => {
  it('names it: it was called "a string worker"', async () => {
    const text = 'stages:\n  - fan:\n      worker: {stages: [{run: cat}], threads: true}\n';
    await expectProblems(text, [
      [
        '{stages',
        /threads runs an SDK filter: .* not a shell command line \(a string or stages worker\): give the module/,
      ],
    ]);
  });
});

describe('a branch name that is no name', () => {
  // Each was said twice: the name's own problem, then, at the join, `branch "a b" is not used by
  // the join: write {a b} where its output goes`, which no placeholder can be.
  it('is one problem, at the name, in a join too', async () => {
    const text = [
      'stages:',
      '  - branches:',
      '      "a b": [{run: cat}]',
      '      a-b: [{run: cat}]',
      '      ok: [{run: cat}]',
      '    combine: join',
      '    join: paste {ok}',
      '',
    ].join('\n');
    await expectProblems(text, [
      ['"a b"', /a name in "branches" \("a b"\) may hold only letters, digits and _$/],
      ['a-b', /a name in "branches" \("a-b"\) may hold only letters, digits and _$/],
    ]);
  });
});
