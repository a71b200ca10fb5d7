import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// docs/tables.md's examples, run as the page writes them, on the files it describes: users.tsv
// (the user in field 1), events.tsv (the user in field 3), users.ndjson (JSON values).

const page = readFileSync(`${root}docs/tables.md`, 'utf8');

/** The page's fenced js block that holds `marker`. */
function jsBlock(marker: string): string {
  const found = [...page.matchAll(/^```js\n([\s\S]*?)^```$/gm)].find((m) => m[1]!.includes(marker));
  if (found === undefined) throw new Error(`docs/tables.md has no js block with ${marker}`);
  return found[1]!;
}

/** The page's line of shell that starts with `start`. */
function shellLine(start: string): string {
  const found = page.split('\n').find((line) => line.startsWith(start));
  if (found === undefined) throw new Error(`docs/tables.md has no line starting ${start}`);
  return found;
}

/** The page's command in backquotes that starts with `start`. */
function quoted(start: string): string {
  const found = [...page.matchAll(/`([^`\n]+)`/g)].find((m) => m[1]!.startsWith(start));
  if (found === undefined) throw new Error(`docs/tables.md quotes no command starting ${start}`);
  return found[1]!;
}

function folder(): string {
  const dir = tempDir('manifold-tables-doc-');
  // As a project that installed manifold-pipes: the filter imports it by name.
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'manifold-pipes'));
  writeFileSync(join(dir, 'users.tsv'), 'u1\tAnn\nu2\tBo\n');
  writeFileSync(join(dir, 'users.ndjson'), '{"id":"u1","name":"Ann"}\n{"id":"u2","name":"Bo"}\n');
  writeFileSync(join(dir, 'events.tsv'), 'e1\tclick\tu2\ne2\tclick\tu9\ne3\tbuy\tu1\n');
  return dir;
}

const sh = (dir: string, script: string) =>
  run('bash', ['-c', script], '', {
    cwd: dir,
    env: { PATH: `${root}node_modules/.bin:${process.env.PATH}` },
  });

describe('docs/tables.md', () => {
  it("looks up the events' users with table get --keys-from (was cut -f1: the event ids)", async () => {
    const dir = folder();
    const build = shellLine('manifold table build users.tsv --key field:1 --field-sep tab -o');
    expect((await sh(dir, build)).exitCode).toBe(0);
    const result = await sh(dir, shellLine('cut -f3 events.tsv | manifold table get'));
    expect(result.stdout.toString()).toBe('u2\tu2\tBo\nu1\tu1\tAnn\n');
    expect(result.stderr).toBe('manifold: table users.mft: no key "u9"\n');
    expect(result.exitCode).toBe(1);
  });

  it('runs the SDK enrich filter on the table of JSON values the page says to build', async () => {
    const dir = folder();
    // As saved from the page: its block has the #! line that `./enrich.mjs` needs (it had none,
    // and bash ran it as a shell script: `import: command not found`).
    writeFileSync(join(dir, 'enrich.mjs'), jsBlock("name: 'enrich'"));
    chmodSync(join(dir, 'enrich.mjs'), 0o755);
    const build = await sh(dir, quoted('manifold table build users.ndjson'));
    expect(build.exitCode).toBe(0);
    const expected = 'e1\tclick\tu2\tBo\ne3\tbuy\tu1\tAnn\n';
    const alone = await sh(dir, quoted('./enrich.mjs'));
    expect([alone.stdout.toString(), alone.stderr, alone.exitCode]).toEqual([expected, '', 0]);
    // Under the fan, in the order the workers give (one block here: input order).
    const fanned = await sh(dir, quoted('manifold fan --table users=users.mft -- ./enrich.mjs'));
    const lines = fanned.stdout.toString().split('\n').slice(0, -1).sort().join('\n');
    expect([`${lines}\n`, fanned.stderr, fanned.exitCode]).toEqual([expected, '', 0]);
  });
});
