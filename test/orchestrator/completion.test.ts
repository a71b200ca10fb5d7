import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifold, output, root, run } from '../helpers.js';
import { fileTempDir } from '../support/temp.js';

// `manifold completion <shell>`: the scripts are loaded into real shells and asked what they
// complete, bash always (complete -p, compgen through the script's function), zsh and fish
// checked where they are installed (.ci/run installs both, as the README says).

const installed = (shell: string) => {
  try {
    execFileSync(shell, ['-c', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const dir = fileTempDir('manifold-completion-');
const script = async (shell: string) => {
  const file = join(dir, `manifold.${shell}`);
  writeFileSync(file, await output(manifold, ['completion', shell]));
  return file;
};

/**
 * The words bash gives a completion function for a command line, the cursor at its end: split
 * at blanks, then at runs of = and : (in COMP_WORDBREAKS), as an interactive bash 5.2 splits
 * plain words (`--merge=o` is `--merge`, `=`, `o`; a line ending in a blank ends in '').
 */
const bashSplit = (line: string) =>
  line.split(/[ \t]+/).flatMap((word) => (word === '' ? [''] : word.match(/[=:]+|[^=:]+/g)!));

/** What bash completes for each command line, the cursor at its end. */
async function bashCompletes(lines: string[]): Promise<string[]> {
  const file = await script('bash');
  const quote = (w: string) => `'${w}'`;
  const calls = lines.map((line) => {
    const split = bashSplit(line);
    return [
      `COMP_WORDS=(${split.map(quote).join(' ')}); COMP_CWORD=${split.length - 1}`,
      `COMP_LINE=${quote(line)}; COMP_POINT=${line.length}; COMPREPLY=(); _manifold`,
      `printf '%s\\n' "\${COMPREPLY[*]}"`,
    ].join('; ');
  });
  const result = await run('bash', ['-c', [`source '${file}'`, ...calls].join('\n')], '', {
    cwd: dir,
    env: { PATH: `${root}node_modules/.bin:/usr/bin:/bin` },
  });
  expect(result.stderr).toBe('');
  return result.stdout.toString().split('\n').slice(0, -1);
}

const words = (text: string) => text.split(' ').sort();

describe('manifold completion bash', () => {
  it('registers _manifold for manifold in a real bash', async () => {
    const file = await script('bash');
    const result = await run('bash', ['-c', `source '${file}'; complete -p manifold`]);
    expect(result.stdout.toString()).toBe('complete -F _manifold manifold\n');
  });

  it('completes subcommands, options, choices, files and worker commands', async () => {
    writeFileSync(join(dir, 'wordfreq.yaml'), 'stages: []\n');
    const got = await bashCompletes([
      'manifold ',
      'manifold ta',
      'manifold fan --me',
      'manifold fan --merge ',
      'manifold fan -j 4 --merge o',
      'manifold table ',
      'manifold table build --duplicates f',
      'manifold graph --format ',
      'manifold completion ',
      'manifold run wordf',
      'manifold fan -j 2 -- mf-ma',
      'manifold fan -j 2 mf-red',
      'manifold fan -- sort wordf',
    ]);
    expect(got.map(words)).toEqual([
      words('fan run check graph table worker queue completion'),
      ['table'],
      ['--merge', '--merge-memory'],
      words('ready ordered sorted'),
      ['ordered'],
      words('build get stat serve'),
      ['first'],
      words('mermaid dot'),
      words('bash zsh fish'),
      ['wordfreq.yaml'],
      ['mf-map'],
      ['mf-reduce'],
      ['wordfreq.yaml'],
    ]);
  });

  it('completes --opt=value as --opt value: the words bash split at = and : are joined', async () => {
    writeFileSync(join(dir, 'hosts:a.txt'), '');
    // Each pair: the line with --opt=value, the same with --opt value. Bash replaces only what
    // follows the last = or :, so the completions are that part: the same in both.
    const pairs = [
      ['manifold fan --merge=o', 'manifold fan --merge o'],
      ['manifold fan --merge=', 'manifold fan --merge '],
      ['manifold fan --workers=2 --ta', 'manifold fan --workers 2 --ta'],
      ['manifold table build --duplicates=f', 'manifold table build --duplicates f'],
      ['manifold fan --workers=2 mf-red', 'manifold fan --workers 2 mf-red'],
      ['manifold fan --merge=sorted --rev', 'manifold fan --merge sorted --rev'],
      ['manifold fan --hosts-file=hosts:', 'manifold fan --hosts-file hosts:'],
      ['manifold fan --host h:22 --ta', 'manifold fan --host h --ta'],
      ['manifold fan --host=h:22 -- mf-ma', 'manifold fan --host h -- mf-ma'],
    ];
    const got = await bashCompletes(pairs.flat());
    expect(got.map(words)).toEqual([
      ['ordered'],
      ['ordered'],
      words('ready ordered sorted'),
      words('ready ordered sorted'),
      words('--table --tag --tagstring'),
      words('--table --tag --tagstring'),
      ['first'],
      ['first'],
      ['mf-reduce'],
      ['mf-reduce'],
      ['--reverse'],
      ['--reverse'],
      ['a.txt'],
      ['a.txt'],
      words('--table --tag --tagstring'),
      words('--table --tag --tagstring'),
      ['mf-map'],
      ['mf-map'],
    ]);
  });

  it("offers every option fan --help lists, from commander's own data", async () => {
    const help = (await output(manifold, ['fan', '--help'])).toString();
    const listed = [...help.matchAll(/^ {2}(?:(-\w), )?(--[a-z][a-z0-9-]*)/gm)].flatMap((m) =>
      m.slice(1).filter((flag) => flag !== undefined),
    );
    expect(listed.length).toBeGreaterThan(20);
    const [offered] = await bashCompletes(['manifold fan -']);
    expect(words(offered!)).toEqual(expect.arrayContaining(listed));
  });
});

describe('manifold completion zsh and fish', () => {
  it.skipIf(!installed('zsh'))(
    'zsh -n accepts the zsh script; sourced, it is compdef-ed',
    async () => {
      const file = await script('zsh');
      const syntax = await run('zsh', ['-n', file]);
      expect([syntax.exitCode, syntax.stderr]).toEqual([0, '']);
      const loaded = await run('zsh', [
        '-fc',
        `autoload -U compinit; compinit -u -D; source '${file}'; print -r -- $_comps[manifold]`,
      ]);
      expect(loaded.stdout.toString()).toBe('_manifold\n');
    },
  );

  it.skipIf(!installed('fish'))('fish loads the fish script and completes from it', async () => {
    const file = await script('fish');
    expect((await run('fish', ['-n', file])).exitCode).toBe(0);
    const result = await run('fish', [
      '-c',
      `source '${file}'; complete -C'manifold fan --merge '; complete -C'manifold ta'`,
    ]);
    expect(result.stderr).toBe('');
    expect(
      result.stdout
        .toString()
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['ordered', 'ready', 'sorted', 'table', '']);
  });

  it.skipIf(!installed('fish'))(
    "fish: a command's words are the ones from the start, the worker's after --",
    async () => {
      const file = await script('fish');
      const dir = fileTempDir();
      const complete = async (line: string) => {
        const result = await run('fish', ['-c', `source '${file}'; complete -C'${line}'`], '', {
          cwd: dir,
        });
        expect(result.stderr).toBe('');
        return result.stdout
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split('\t')[0]);
      };
      writeFileSync(join(dir, 'big.txt'), '');
      // `table` here is --input's file: table's `build` was offered.
      expect(await complete('manifold fan --input table b')).toEqual([]);
      expect(await complete('manifold fan --input b')).toEqual(['big.txt']);
      // A config file named run: run's options, not table's subcommands.
      expect(await complete('manifold run table --se')).toEqual(['--set']);
      expect(await complete('manifold table b')).toEqual(['build']);
      // After --, the worker's command and its options; not fan's --reverse.
      expect(await complete('manifold fan -j 2 -- sor')).toContain('sort');
      expect(await complete('manifold fan -j 2 -- sort --rev')).toEqual(['--reverse']);
      expect(await complete('manifold fan -j 2 --rev')).toEqual(['--reverse']);
    },
  );
});
