import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { isRepeatable, refuseRepeatedValues } from '../../filters/sdk/repeated-values.js';
import { fanOptions } from '../../orchestrator/cli/fan-options.js';
import { bin, manifold, run } from '../helpers.js';
import { fileWith } from '../support/temp.js';

// An option that takes one value, given two (`-L 2 ... -L 3`), is a usage error naming both:
// commander (as GNU parallel's Getopt::Long) kept the last without a word until 2026-12-05.
// The same value twice is fine; options that gather values (--input, --host, --set) gather.

/** `manifold fan`'s options, read as its command line reads them, in this process. */
function parseFan(args: string[]) {
  const command = new Command('fan').exitOverride().configureOutput({ outputError: () => {} });
  for (const option of fanOptions()) command.addOption(option);
  refuseRepeatedValues(command);
  command.parse(args, { from: 'user' });
  return command.opts();
}

const valued = fanOptions().filter((option) => option.required || option.optional);

describe('every option of manifold fan that takes a value', () => {
  it.each(
    valued.map((option) => [option.long!, option.argChoices ?? ['a', 'b'], isRepeatable(option)]),
  )('%s given two values', (flag, [first, second], gathers) => {
    const twice = () => parseFan([flag, first!, `${flag}=${second}`]);
    if (gathers) {
      expect(Object.values(twice())).toContainEqual([first, second]);
    } else {
      expect(twice).toThrow(
        new RegExp(
          `^option '(-., )?${flag}' given two values, '${first}' and '${second}': give one$`,
        ),
      );
    }
    // The same value twice is the value.
    expect(() => parseFan([flag, first!, flag, first!])).not.toThrow();
  });

  it('gathers only --input, --table, --host and --transfer', () => {
    const gathering = valued.filter(isRepeatable).map((option) => option.long);
    expect(gathering).toEqual(['--input', '--table', '--host', '--transfer']);
  });
});

describe('the command lines, run', () => {
  it('manifold fan -L 2 -L 3: one line, exit 2, nothing run', async () => {
    const result = await run(manifold, ['fan', '-L', '2', '-L', '3', '--', 'cat'], '1\n2\n3\n');
    expect([result.exitCode, result.stderr, result.stdout.length]).toEqual([
      2,
      "manifold: option '-L, --lines-per-record' given two values, '2' and '3': give one (see 'manifold fan --help')\n",
      0,
    ]);
  });

  it('manifold fan -j 2 --workers=2, and --input twice, as before', async () => {
    const [a, b] = [fileWith('repeated-', 'a\n'), fileWith('repeated-', 'b\n')];
    const result = await run(manifold, [
      'fan',
      '-j',
      '2',
      '--workers=2',
      '--merge',
      'ordered',
      '--per-block',
      '--input',
      a,
      '--input',
      b,
      '--',
      'cat',
    ]);
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', 'a\nb\n']);
  });

  it.each([
    [['run', '--stats', 'a', '--stats=b', 'x.yaml'], "'--stats' given two values, 'a' and 'b'"],
    [
      ['worker', '--queue', 'nats://a:1', '--queue', 'nats://b:1', '--', 'cat'],
      "'--queue' given two values, 'nats://a:1' and 'nats://b:1'",
    ],
    [['table', 'build', '--memory', '1M', '--memory', '2M', 'x'], "'--memory' given two values"],
  ])('manifold %j: one line, exit 2', async (args, said) => {
    const result = await run(manifold, args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^manifold: option [^\n]*\n$/);
    expect(result.stderr).toContain(said);
  });

  it('manifold run --set gathers, as before', async () => {
    const config = fileWith('repeated-', 'stages:\n  - run: echo "$A$B"\n', 'p.yaml');
    const result = await run(manifold, ['run', '--set', 'A=1', '--set', 'B=2', config]);
    expect([result.exitCode, result.stderr, result.stdout.toString()]).toEqual([0, '', '12\n']);
  });

  it.each([
    [
      'mf-map',
      ['--max-record', '1K', '--max-record', '2K', 'r'],
      "'--max-record' given two values, '1K' and '2K'",
    ],
    ['mf-reduce', ['--key', 'field:1', '--key', 'field:2', 'count'], "'--key' given two values"],
  ])('%s %j: one line, exit 2', async (name, args, said) => {
    const result = await run(bin(name), args, 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${name}: option [^\\n]*\\n$`));
    expect(result.stderr).toContain(said);
  });
});
