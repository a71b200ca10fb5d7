import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// docs/tables.md's examples, run as the page writes them, on the files its first block makes:
// users.tsv (the user in field 1), events.tsv (the user in field 3), users.ndjson, events.ndjson.
// So each example finds what it reads: `table get` and the serve example ask for keys the
// files hold, the serve example takes a port of its own (not a fixed 8080), and the socket
// script waits for its socket.

const page = readFileSync(`${root}docs/tables.md`, 'utf8');
const shBlocks = [...page.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** The page's fenced js block that holds `marker`. */
function jsBlock(marker: string): string {
  const found = [...page.matchAll(/^```js\n([\s\S]*?)^```$/gm)].find((m) => m[1]!.includes(marker));
  if (found === undefined) throw new Error(`docs/tables.md has no js block with ${marker}`);
  return found[1]!;
}

/** The page's command in backquotes that starts with `start`. */
function quoted(start: string): string {
  const found = [...page.matchAll(/`([^`\n]+)`/g)].find((m) => m[1]!.startsWith(start));
  if (found === undefined) throw new Error(`docs/tables.md quotes no command starting ${start}`);
  return found[1]!;
}

const env = { ...process.env, PATH: `${root}node_modules/.bin:/usr/bin:/bin` };

/** A folder as a project that installed manifold-pipes, with the files the first block makes. */
function folder(): string {
  const dir = tempDir('manifold-tables-doc-');
  mkdirSync(join(dir, 'node_modules'));
  mkdirSync(join(dir, 'tmp'));
  symlinkSync(root, join(dir, 'node_modules', 'manifold-pipes'));
  const first = runBlock(dir, shBlocks[0]!);
  expect(first.status).toBe(0);
  return dir;
}

/**
 * One block as a bash script, as pasted, with $TMPDIR in the test's own folder (what `mktemp`
 * makes is there, and must be gone after). Nothing of a block is rewritten: the socket example
 * makes its socket with `mktemp`, so that two runs at once, as pasted, do not collide.
 */
function runBlock(dir: string, block: string) {
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', block], {
    cwd: dir,
    env: { ...env, TMPDIR: join(dir, 'tmp') },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sh = (dir: string, script: string) => run('bash', ['-c', script], '', { cwd: dir, env });

const built = (name: string, records: number) =>
  expect.stringMatching(
    new RegExp(`^manifold: built ${name.replace('.', '\\.')}: ${records} records,`),
  );

describe('docs/tables.md', () => {
  it('runs each sh block as pasted, in order, in the folder the first block makes', () => {
    const dir = folder();
    // The worked example of examples/enrich (2 M events) and its comparison with join(1) are
    // left out: they are run as examples/enrich's own test.
    const worked = shBlocks.findIndex((block) => block.startsWith('cd examples/enrich'));
    expect(worked).toBeGreaterThan(0);
    const blocks = shBlocks.slice(0, worked);
    const said = blocks.map((block) => ({ block, ...runBlock(dir, block) }));
    const joined = 'e1\tclick\tu2\tu2\tBo Lin\tOslo\ne3\tbuy\tu1\tu1\tAda Lovelace\tLondon\n';
    const expected: Record<string, { status: number; stdout: unknown; stderr: unknown }> = {
      '# the files': { status: 0, stdout: joined, stderr: built('users.mft', 2) },
      'manifold table get users.mft u1 u2': {
        status: 0,
        stdout: expect.stringMatching(
          /^u1\tAda Lovelace\tLondon\nu2\tBo Lin\tOslo\nu1\tu1\tAda Lovelace\tLondon\ntable {6}users\.mft\n[\s\S]*"format": "manifold-table"/,
        ),
        stderr: '',
      },
      'cut -f3 events.tsv | manifold table get': {
        status: 1,
        stdout: 'u2\tu2\tBo Lin\tOslo\nu1\tu1\tAda Lovelace\tLondon\n',
        stderr: 'manifold: table users.mft: no key "u9"\n',
      },
      'manifold table build users.ndjson': {
        status: 0,
        stdout: `${joined}e2\tclick\tu9\n{"id":"e1","user":{"id":"u2","name":"Bo Lin"}}\n`,
        stderr: built('users.ndjson.mft', 2),
      },
      'manifold fan -j 8': { status: 0, stdout: joined + joined, stderr: '' },
      'manifold table build users.tsv --key field:1 --field-sep tab --shards 4': {
        status: 0,
        stdout: expect.stringMatching(/^(e1.*\ne3.*\n|e3.*\ne1.*\n)$/),
        stderr: built('users.mft', 2),
      },
      'exec 3< <(manifold table serve users.mft);': {
        status: 0,
        stdout:
          'u1\tAda Lovelace\tLondon\n"u1\\tAda Lovelace\\tLondon"\nnull\n"u1\\tAda Lovelace\\tLondon"\n',
        stderr: '',
      },
      'sock=$(mktemp -d)/users.sock': {
        status: 0,
        stdout: 'e1\tclick\tu2\t"u2\\tBo Lin\\tOslo"\ne3\tbuy\tu1\t"u1\\tAda Lovelace\\tLondon"\n',
        stderr: '',
      },
    };
    // What the blocks made with mktemp (the socket's folder) they removed.
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    expect(said).toEqual(
      blocks.map((block) => {
        const start = Object.keys(expected).find((key) => block.startsWith(key));
        // A block this test does not know yet must succeed silently, or be added here.
        return {
          block,
          ...(start === undefined ? { status: 0, stdout: '', stderr: '' } : expected[start]),
        };
      }),
    );
    // Ten manifold commands, one after another: room for a loaded machine.
  }, 240_000);

  it('names no fixed path under /tmp: what a block makes there is its own, for two users or two runs at once', () => {
    // The socket example listened at /tmp/users.sock: a second run was refused, and another
    // user's server there would have answered.
    const fixed = shBlocks.flatMap((block) => block.match(/(?<![\w$])\/tmp\/[^\s"'`)]*/g) ?? []);
    expect(fixed).toEqual([]);
  });

  it('runs the SDK enrich filter on the table of JSON values the page says to build', async () => {
    const dir = folder();
    // As saved from the page: its block has the #! line that `./enrich.mjs` needs (it had none,
    // and bash ran it as a shell script: `import: command not found`).
    writeFileSync(join(dir, 'enrich.mjs'), jsBlock("name: 'enrich'"));
    chmodSync(join(dir, 'enrich.mjs'), 0o755);
    const build = await sh(
      dir,
      quoted('manifold table build users.ndjson --key json:id -o users.ndjson.mft'),
    );
    expect(build.exitCode).toBe(0);
    const expected = 'e1\tclick\tu2\tBo Lin\ne3\tbuy\tu1\tAda Lovelace\n';
    const alone = await sh(dir, quoted('./enrich.mjs'));
    expect([alone.stdout.toString(), alone.stderr, alone.exitCode]).toEqual([expected, '', 0]);
    // Under the fan, in the order the workers give (one block here: input order).
    const fanned = await sh(
      dir,
      quoted('manifold fan --table users=users.ndjson.mft -- ./enrich.mjs'),
    );
    const lines = fanned.stdout.toString().split('\n').slice(0, -1).sort().join('\n');
    expect([`${lines}\n`, fanned.stderr, fanned.exitCode]).toEqual([expected, '', 0]);
  }, 60_000);
});
