import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// docs/config.md's examples that claim to run, run as the page writes them, with the files it
// says where to get (tables.md's enrich.mjs and users.mft for `threads: true`).

const read = (name: string) => readFileSync(`${root}docs/${name}`, 'utf8');

/** The page's fenced block of `lang` that holds `marker`. */
function block(page: string, lang: string, marker: string): string {
  const blocks = [...page.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))];
  const found = blocks.find((m) => m[1]!.includes(marker));
  if (found === undefined) throw new Error(`no ${lang} block with ${marker}`);
  return found[1]!;
}

/** The page's command in backquotes (possibly across a line break) that starts with `start`. */
function quoted(page: string, start: string): string {
  const at = page.indexOf(`\`${start}`);
  if (at < 0) throw new Error(`the page quotes no command starting ${start}`);
  return page.slice(at + 1, page.indexOf('`', at + 1)).replace(/\s*\n\s*/g, ' ');
}

const sh = (dir: string, script: string) =>
  run('bash', ['-c', script], '', {
    cwd: dir,
    env: { PATH: `${root}node_modules/.bin:${process.env.PATH}` },
  });

describe('docs/config.md', () => {
  // The Fans section's table of manifold fan's flags that a config says its own way: each one,
  // given as a fan map's key, is told how (orchestrator/config/fan-flag-keys.ts).
  it("tells every flag its Fans table names, given as a fan's key, how a config says it", async () => {
    const page = read('config.md');
    const table = page.slice(
      page.indexOf('which a config says its own way'),
      page.indexOf('The keys:'),
    );
    const flags = [
      ...new Set(
        [...table.matchAll(/^\| (.*?) \|/gm)].flatMap((row) =>
          [...row[1]!.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]!),
        ),
      ),
    ];
    expect(flags.length).toBeGreaterThan(15);
    const dir = tempDir('manifold-config-flags-');
    const keys = flags.map((flag) => `      "${flag}": x`).join('\n');
    writeFileSync(join(dir, 'flags.yaml'), `stages:\n  - fan:\n${keys}\n      worker: cat\n`);
    const result = await sh(dir, 'manifold check flags.yaml');
    const told = result.stderr
      .split('\n')
      .filter((line) => line !== '')
      .map(
        (line) =>
          /unknown key "([a-z-]+)" in stages\[0\]\.fan \(that is manifold fan's --\1;/.exec(
            line,
          )?.[1] ?? line,
      );
    expect([result.exitCode, told]).toEqual([2, flags]);
  });

  it('runs the threads: true example with tables.md enrich.mjs and users.mft', async () => {
    const config = read('config.md');
    const dir = tempDir('manifold-config-doc-');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'manifold-pipes'));
    writeFileSync(join(dir, 'users.ndjson'), '{"id":"u1","name":"Ann"}\n{"id":"u2","name":"Bo"}\n');
    writeFileSync(join(dir, 'events.tsv'), 'e1\tclick\tu2\ne2\tclick\tu9\ne3\tbuy\tu1\n');
    writeFileSync(join(dir, 'enrich.mjs'), block(read('tables.md'), 'js', "name: 'enrich'"), {
      mode: 0o755,
    });
    writeFileSync(join(dir, 'threads.yaml'), block(config, 'yaml', 'threads: true'));
    const build = await sh(dir, quoted(config, 'manifold table build users.ndjson'));
    expect(build.exitCode).toBe(0);
    const result = await sh(dir, quoted(config, 'manifold run threads.yaml'));
    expect([result.stdout.toString(), result.stderr, result.exitCode]).toEqual([
      'e1\tclick\tu2\tBo\ne3\tbuy\tu1\tAnn\n',
      '',
      0,
    ]);
  });
});
