import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bin, manifold, run } from '../helpers.js';
import { fileTempDir, tempDir } from '../support/temp.js';

// The examples of each --help, run as pasted in a folder with the files they name, in the order
// the helps give them (a table is built before it is read). test/pipeline/help-examples.test.ts
// runs those of run, check and graph from the repository's root. Left out: the examples that
// need other machines (--host, --hosts-file, ssh) or a NATS server (--queue, manifold queue),
// whose host names are placeholders, a table server's (run apart below, as one script), and
// the lines for zsh and fish, and those of the repository's examples/ (run from its root by
// test/pipeline/help-examples.test.ts). manifold worker's all need one or the other. A line in
// parentheses is a note on the one above, not a command.

const FILTERS = ['mf-map', 'mf-filter', 'mf-reduce', 'mf-join', 'mf-frame', 'mf-unframe'];
const ELSEWHERE = /--host|--hosts-file|\bssh\b|--queue|\bzsh\b|\bfish\b|\bexamples\//;
/** jq, which the CI machine has not: its examples are run where it is installed. */
const NO_JQ = spawnSync('sh', ['-c', 'command -v jq']).status === 0 ? /^$/ : /\| jq\b/;

/** The help's examples: each a line indented by two, its description (two blanks on) cut off. */
function examples(argv: string[]): string[] {
  const help = spawnSync(argv[0]!, [...argv.slice(1), '--help'], { encoding: 'utf8' }).stdout;
  const section = /\nExamples:\n((?: {2}.*\n?)+)/.exec(help)?.[1] ?? '';
  return section
    .split('\n')
    .filter((line) => /^ {2}\S/.test(line) && !line.trimStart().startsWith('('))
    .map((line) =>
      line
        .trim()
        .split(/ {2,}(?![ #])/)[0]!
        .trim(),
    );
}

const folder = fileTempDir('manifold-help-examples-');
const path = join(folder, '.bin');
mkdirSync(path);
symlinkSync(manifold, join(path, 'manifold'));
for (const name of FILTERS) symlinkSync(bin(name), join(path, name));
const files: Record<string, string | Buffer> = {
  'app.log': '10:00 INFO start\n10:01 ERROR disk full\n10:02 INFO healthcheck\n',
  'in.csv': 'id,name\n1,ann\n2,bo\n',
  'users.tsv': 'u1001\tAda Lovelace\nu1002\tBo\nu1003\tCy\n',
  'users.ndjson': '{"id":"u1001","name":"Ada"}\n{"id":"u1002","name":"Bo"}\n{"id":"u1003"}\n',
  'products.csv': 'p1,widget,tools,3.50\np2,gadget,toys,4.00\n',
  'visits.tsv': 'u1001\t/a\nu1001\t/b\nu1002\t/c\n',
  'ranges.tsv.gz': gzipSync('r1\t1-10\nr2\t11-20\n'),
  'events.tsv': 'e1\tclick\tu1002\ne2\tbuy\tu1001\n',
  'events.ndjson': '{"id":"e1","user":"u1002"}\n',
  'lines.txt': 'one\ntwo\n',
  'latin1.txt': Buffer.from('caf\xe9\nthe\n', 'latin1'),
  'reads.fq': '@r1\nACGT\n+\nIIII\n@r2\nGG\n+\nII\n',
  'seqs.fasta': '>a one\nACGT\nAC\n>b two\nGT\n',
  'src/a.txt': 'a\n',
  'src/b c.txt': 'b\n',
};
mkdirSync(join(folder, 'src'));
for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
for (const name of ['parse', 'flaky-filter', 'upload-batch', 'sum-by-user', 'render']) {
  writeFileSync(join(folder, name), '#!/bin/sh\nexec cat\n');
  chmodSync(join(folder, name), 0o755);
}

const COMMANDS = [
  ['table'],
  ['table', 'build'],
  ['table', 'get'],
  ['table', 'stat'],
  ['fan'],
  ['completion'],
  [],
].map((args) => ({ name: ['manifold', ...args].join(' '), argv: [manifold, ...args] }));
const LINES = [...COMMANDS, ...FILTERS.map((name) => ({ name, argv: [bin(name)] }))].flatMap(
  ({ name, argv }) =>
    examples(argv)
      .filter((line) => !ELSEWHERE.test(line) && !NO_JQ.test(line))
      .map((line) => [name, line] as const),
);

describe.sequential('--help examples, run as pasted in a folder with their files', () => {
  it('each command has some that run here', () => {
    const named = new Set(LINES.map(([name]) => name));
    expect([...COMMANDS.map(({ name }) => name), ...FILTERS].filter((n) => !named.has(n))).toEqual(
      [],
    );
  });

  it.each(LINES)('%s: %s', (_name, line) => {
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', line], {
      cwd: folder,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PATH: `${path}:${process.env.PATH}`, HOME: folder, LC_ALL: 'C' },
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 0,
      stderr: expect.not.stringMatching(/No such file|not found|cannot|no key/),
    });
  });
});

// manifold table serve's examples start a server, ask it and stop it: run as one script (but the
// one that listens on every interface), twice at once in one folder: on a fixed port (8080), a
// second copy, or anything else on that port, would be refused.
describe('manifold table serve --help examples', () => {
  it('run as one script, two copies at once, each on a port and a socket of its own', async () => {
    const lines = examples([manifold, 'table', 'serve']).filter((l) => !l.includes('--listen-any'));
    expect(lines.length).toBeGreaterThan(6);
    const dir = tempDir('manifold-serve-examples-');
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'users.tsv'), 'u1001\tAda Lovelace\nu1002\tBo\n');
    const env = { ...process.env, PATH: `${path}:${process.env.PATH}`, TMPDIR: join(dir, 'tmp') };
    const build = ['table', 'build', 'users.tsv', '--key', 'field:1', '--field-sep', 'tab'];
    expect((await run(manifold, [...build, '-o', 'users.mft'], '', { cwd: dir })).exitCode).toBe(0);
    const script = lines.join('\n');
    const copies = await Promise.all(
      [1, 2].map(() => run('bash', ['-o', 'pipefail', '-c', script], '', { cwd: dir, env })),
    );
    for (const copy of copies) {
      expect({ exitCode: copy.exitCode, stderr: copy.stderr }).toEqual({ exitCode: 0, stderr: '' });
      expect(copy.stdout.toString()).toBe(
        'u1001\tAda Lovelace\n"u1001\\tAda Lovelace"\nnull\nu1001\tAda Lovelace\n',
      );
    }
  }, 60_000);
});
