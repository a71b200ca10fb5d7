import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root, run } from '../helpers.js';
import { tempDir } from '../support/temp.js';

// The README's tour runs as pasted: examples/tour.sh holds every command and file of it (checked
// here against the README's own blocks), makes the sample files and runs each command.

const readme = readFileSync(`${root}README.md`, 'utf8');
const tourScript = readFileSync(`${root}examples/tour.sh`, 'utf8');

/** The fenced blocks of one language between two headings of the README. */
function blocks(language: string, from: string, to: string): string[] {
  const part = readme.slice(readme.indexOf(from), readme.indexOf(to));
  return [...part.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(
    (m) => m[1]!,
  );
}

const TOUR = ['## A 60-second tour', '## Documentation'] as const;

/** The commands tour.sh runs: the double-quoted words of its `tour=(...)` list. */
const tourCommands = () =>
  [...tourScript.slice(tourScript.indexOf('tour=(')).matchAll(/^ {2}"(.*)"$/gm)].map((m) =>
    m[1]!.replace(/\\(["\\$`])/g, '$1'),
  );

describe('examples/tour.sh', () => {
  it("holds every command and file of the README's tour", () => {
    const commands = blocks('sh', ...TOUR).flatMap((block) => block.split('\n').slice(0, -1));
    expect(commands.length).toBeGreaterThan(15);
    expect(tourCommands()).toEqual(expect.arrayContaining(commands));
    const files = [...blocks('yaml', ...TOUR), ...blocks('js', ...TOUR)];
    expect(files.length).toBe(3);
    for (const file of files) expect(tourScript).toContain(`<<'EOF'\n${file}EOF\n`);
  });

  it('makes its sample files and runs every command, in the folder given', async () => {
    const dir = tempDir('manifold-tour-');
    const result = await run('bash', [`${root}examples/tour.sh`, dir], '', {
      env: { PATH: `${root}node_modules/.bin:/usr/bin:/bin` },
      timeout: 120_000,
    });
    const out = result.stdout.toString();
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    expect(out).toContain('\ntour: every command ran\n');
    for (const command of tourCommands()) expect(out).toContain(`\n$ ${command}\n`);
    // A few outputs, one per kind of command.
    expect(out).toMatch(/ERROR request 97\n/);
    expect(out).toContain('THE QUICK BROWN FOX\nJUMPS OVER\nTHE LAZY DOG\n');
    expect(out).toContain('e1\tclick\tu2\tu2\tuser 2\n');
    expect(out).toMatch(/ {4}800 the\n/);
    expect(out).toContain('north\t17\nsouth\t5\n');
    expect(out).toContain('  (stderr) flaky: failing on purpose, once\n');
    expect(out).toContain('{"a":1,"b":2,"total":3}\n');
  }, 150_000);
});

describe("the README's command for a fresh machine", () => {
  const FRESH = ['## On a fresh machine', '```sh\nnpm test'] as const;
  const [command] = blocks('sh', ...FRESH).map((block) => block.trim());

  it('is the one CI runs', () => {
    expect(command).toMatch(/^npm install && /);
    expect(readFileSync(`${root}.ci/run`, 'utf8').split('\n')).toContain(command);
  });

  // npm 11's npx, run in the folder of the package whose bin it is asked for, installs that
  // package into its cache first, which runs `prepare` (the whole build) again: `npx mf-map |
  // npx mf-reduce` took 10 minutes on a loaded host.
  it('calls the clone’s binaries from node_modules/.bin, not through npx, and counts words', async () => {
    expect(command).not.toMatch(/\bnpx\b/);
    const rest = command!.replace(/^npm install && /, '');
    // Each command's status, not pipefail's: `head -5` ends as soon as it has its lines, and sort,
    // whose output is more than one write (4,140 bytes here), then dies of SIGPIPE, 141, as in
    // any shell pipeline; under pipefail that failed the case about one run in ten.
    const result = await run('bash', ['-c', `${rest}; echo "\${PIPESTATUS[*]}"`], '', {
      cwd: root,
      env: { PATH: '/usr/bin:/bin' },
    });
    expect([result.exitCode, result.stderr]).toEqual([0, '']);
    const lines = result.stdout.toString().split('\n').slice(0, -1);
    const [mfMap, mfReduce, sort, head] = lines.pop()!.split(' ');
    expect({ mfMap, mfReduce, head, sort: sort === '141' ? '0' : sort }).toEqual({
      mfMap: '0',
      mfReduce: '0',
      head: '0',
      sort: '0',
    });
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^[a-z]+\t\d+$/);
  });
});
