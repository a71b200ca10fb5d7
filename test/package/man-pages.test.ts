import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from '../helpers.js';

// The man pages build-man.mjs makes from the manual render without a word from groff: the
// manual's tables, as tbl tables of prose cells a few words wide, gave `can't break line` and
// `cannot adjust line` warnings (13 for manifold-run(1), 4 pages in all). Now each is a list.
// And marked's HTML entities in code spans (`&quot;`, `&#39;`) no longer reach the page, nor
// links to the repository's files as URLs (`<performance.md#per-block-...>`).

const folder = join(root, 'dist', 'man');
const pages = readdirSync(folder).filter((name) => name.endsWith('.1'));

describe.skipIf(!existsSync('/usr/bin/man'))('the man pages', () => {
  it('are built, one for each command and filter', () => {
    expect(pages.length).toBeGreaterThanOrEqual(12);
  });

  // At the widths of common terminals too: a link to another file of the repository was a
  // long `<performance.md#...>` word that groff could not fit at 70 and 100 columns.
  const widths = ['70', '80', '100', '120'];
  it.each(pages.flatMap((page) => widths.map((width) => [page, width])))(
    '%s renders without a warning at %s columns, and without HTML entities',
    (page, width) => {
      const result = spawnSync('man', ['-l', join(folder, page)], {
        encoding: 'utf8',
        env: { MANWIDTH: width, PATH: '/usr/bin:/bin' },
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
      expect(result.stdout).toMatch(/^NAME\n {7}\S+ +- /m);
      expect(result.stdout).not.toMatch(/&(quot|#39|amp|lt|gt);/);
    },
  );

  it('a link to a file of the repository is its text, not a path a man page cannot follow', () => {
    const fan = execFileSync('man', ['-l', join(folder, 'manifold-fan.1')], {
      encoding: 'utf8',
      env: { MANWIDTH: '80', PATH: '/usr/bin:/bin' },
    });
    expect(fan).toMatch(/Measured in\s+performance\.md\./);
    expect(fan).not.toMatch(/performance\.md#/);
  });

  it("a table's rows are tagged paragraphs, the first cell the tag", () => {
    const run = execFileSync('man', ['-l', join(folder, 'manifold-run.1')], {
      encoding: 'utf8',
      env: { MANWIDTH: '80', PATH: '/usr/bin:/bin' },
    });
    // groff spreads a justified line's spaces from either side by turns: any number here.
    expect(run).toMatch(/^ {7}input {2}- +or +stdin; +a +file;/m);
    expect(run).toMatch(/^ {14}default: stdin$/m);
  });
});
