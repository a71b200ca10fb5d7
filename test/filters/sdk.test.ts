import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { bin, fixture, output, run } from '../helpers.js';
import { framed } from '../support/framing.js';

/** Deterministic bytes of every value, cut into lines of varying length (some empty). */
function binaryLines(count: number, seed = 7): Buffer {
  let state = seed;
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const line = Buffer.alloc(state % 300);
    for (let j = 0; j < line.length; j++) {
      state = (state * 1103515245 + 12345) >>> 0;
      line[j] = (state >>> 16) % 256 === 10 ? 0 : (state >>> 16) % 256;
    }
    parts.push(line, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

describe('an SDK filter as a real process', () => {
  it('passes megabytes of binary lines through unchanged, across many reads', async () => {
    const input = binaryLines(40_000);
    expect(input.length).toBeGreaterThan(4 * 1024 * 1024);
    const result = await output(fixture('identity.js'), [], input);
    expect(result.equals(input)).toBe(true);
  });

  it('passes frames, nul and fixed records through unchanged', async () => {
    const payloads = binaryLines(2_000)
      .toString('latin1')
      .split('\n')
      .map((s) => Buffer.from(s, 'latin1'));
    const frames = framed(payloads);
    expect(
      (await output(fixture('identity.js'), ['--split', 'frames'], frames)).equals(frames),
    ).toBe(true);
    const nul = Buffer.from('a\nb\0\0c\0d');
    expect((await output(fixture('identity.js'), ['--split', 'nul'], nul)).toString()).toBe(
      'a\nb\0\0c\0d\0',
    );
    expect(
      (await output(fixture('identity.js'), ['--split', 'fixed:3'], 'abcdef')).toString(),
    ).toBe('abcdef');
  });

  it('adds the missing final delimiter and keeps CRLF', async () => {
    expect((await output(fixture('identity.js'), [], 'a\r\nb')).toString()).toBe('a\r\nb\n');
    expect((await output(fixture('passthrough.js'), [], 'a\r\nb')).toString()).toBe('a\r\nb\n');
  });

  it('writes nothing for empty input', async () => {
    expect((await output(fixture('identity.js'), [], '')).length).toBe(0);
  });

  it('converts between framings with --split and --join', async () => {
    const result = await output(
      fixture('identity.js'),
      ['--split', 'lines', '--join', 'nul'],
      'a\nb\n',
    );
    expect(result.toString()).toBe('a\0b\0');
    const frames = await output(fixture('identity.js'), ['--join', 'frames'], 'ab\n\nc');
    expect(frames).toEqual(framed([Buffer.from('ab'), Buffer.alloc(0), Buffer.from('c')]));
  });

  it('keeps records valid when a filter holds them until the end', async () => {
    const input = binaryLines(30_000, 11);
    const lines = input.toString('latin1').split('\n').slice(0, -1);
    lines.sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
    const expected = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
    const sorted = await output(fixture('sort-flush.js'), [], input);
    expect(createHash('sha1').update(sorted).digest('hex')).toBe(
      createHash('sha1').update(expected).digest('hex'),
    );
  });

  it('awaits async transforms in order', async () => {
    const input = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const result = await output(fixture('upper-async.js'), [], input);
    expect(result.toString()).toBe(`${input.toUpperCase()}\n`);
  });

  it('calls the transform once per record when sync and async results mix', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `l${i}`);
    const result = await output(fixture('numbered-async.js'), [], `${lines.join('\n')}\n`);
    expect(result.toString()).toBe(lines.map((line, i) => `${i + 1} ${line}\n`).join(''));
  });

  it('runs the batch form and drops null entries', async () => {
    expect((await output(fixture('reverse-batch.js'), [], 'abc\n\nxy\n')).toString()).toBe(
      'cba\nyx\n',
    );
  });

  it('writes each element batch returns as one record: an array one JSON record', async () => {
    // It was spread, as a transform's array is: `[r, n]` written as two records.
    expect((await output(fixture('batch-rows.js'), [], 'ab\ndrop\nc\n')).toString()).toBe(
      '["ab",2]\n["c",1]\n',
    );
  });

  it('emits several records from an array and drops undefined', async () => {
    expect((await output(fixture('expand.js'), [], 'ab\ndrop\nc')).toString()).toBe(
      'ab\nab\n2\nc\nc\n1\n',
    );
  });

  it('parses ndjson, skips blank lines, and writes a value from flush', async () => {
    const result = await output(
      fixture('json-total.js'),
      [],
      '{"n":1}\n\n  \n{"n":2.5}\n{"m":1}\n',
    );
    expect(result.toString()).toBe('{"total":3.5,"count":2}\n');
  });

  it('names the line of bad JSON and exits 1', async () => {
    const result = await run(fixture('json-total.js'), [], '{"n":1}\n{"n":\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^json-total: stdin:2: invalid JSON: .+\n$/);
  });

  it('reports a failing record with its number, after writing the records before it', async () => {
    const result = await run(fixture('fail-at.js'), ['3'], 'a\nb\nc\nd\n');
    expect(result.exitCode).toBe(1);
    expect(result.stdout.toString()).toBe('a\nb\n');
    expect(result.stderr).toBe('fail-at: stdin:3: Error: no good\n');
  });

  it('stops at a record over --max-record with a clear error', async () => {
    const result = await run(
      fixture('identity.js'),
      ['--max-record', '1K'],
      `ok\n${'x'.repeat(5000)}\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^identity: stdin:2: record is larger than the maximum record size 1 KiB .*--max-record\n$/,
    );
  });

  it('reads a record larger than its read buffer', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'y');
    const input = Buffer.concat([Buffer.from('a\n'), big, Buffer.from('\nz\n')]);
    expect((await output(fixture('identity.js'), [], input)).equals(input)).toBe(true);
  });

  it('treats bad options as usage errors: exit 2, one line, no stack', async () => {
    for (const args of [['--split', 'bogus'], ['--max-record', 'lots'], ['--nope'], ['--join']]) {
      const result = await run(fixture('identity.js'), args, '');
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^identity: .*--help/);
    }
  });

  it('keeps the suggestion for a mistyped option on the usage line', async () => {
    const result = await run(fixture('identity.js'), ['--spilt', 'nul'], '');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "identity: unknown option '--spilt' (did you mean --split?) (see 'identity --help')\n",
    );
  });

  it('says a flag given a value takes none, not that it is unknown', async () => {
    // It was "unknown option '--help=1' (did you mean --help?)": the flag itself, suggested.
    const result = await run(fixture('identity.js'), ['--help=1'], '');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: "identity: --help takes no value (got '--help=1') (see 'identity --help')\n",
    });
  });

  it("says a filter's own short flag given a value takes none, naming it", async () => {
    // commander reads -u=1 as -u and -=1: it was "unknown option '-=1'", a flag no one wrote.
    const result = await run(fixture('upper-flag.js'), ['-u=1'], 'ab\n');
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({
      exitCode: 2,
      stderr: "upper-flag: -u takes no value (got '-u=1') (see 'upper-flag --help')\n",
    });
    const upper = await run(fixture('upper-flag.js'), ['-u'], 'ab\n');
    expect(upper.stdout.toString()).toBe('AB\n');
  });

  it('prints --help and --version on stdout and exits 0', async () => {
    const help = await run(fixture('identity.js'), ['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout.toString()).toMatch(
      /--split <framing>[\s\S]*--join <framing>[\s\S]*--max-record <size>/,
    );
    const version = await run(fixture('identity.js'), ['--version']);
    expect(version.stdout.toString()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("says in --help each framing's default, the declared one or lines and the input's", async () => {
    // The help's wrapping is commander's: read it as one line.
    const options = async (command: string) =>
      (await output(command, ['--help'])).toString().replace(/\s+/g, ' ');
    const split =
      /--split <framing> input framing: .*? allowed in delim, start and between\)( \(default: [^)]*\))?/;
    const join = /--join <framing> output framing \(same names\)( \(default: [^)]*\))?/;
    const said = async (command: string) => {
      const help = await options(command);
      return [help.match(split)?.[1], help.match(join)?.[1]];
    };
    expect(await said(fixture('identity.js'))).toEqual([
      ' (default: lines)',
      ' (default: the input framing)',
    ]);
    expect(await said(bin('mf-unframe'))).toEqual([' (default: frames)', ' (default: lines)']);
    expect(await said(bin('mf-frame'))).toEqual([' (default: lines)', ' (default: frames)']);
  });
});

describe('a closed output', () => {
  it('ends the filter quietly with status 0 in a shell pipe (yes | filter | head -1)', async () => {
    const script = `yes 'a line of text' | "$0" | head -1; echo "status \${PIPESTATUS[1]}" >&2`;
    const result = await run('bash', ['-c', script, fixture('identity.js')]);
    expect(result.stdout.toString()).toBe('a line of text\n');
    expect(result.stderr).toBe('status 0\n');
  });

  it('ends the filter quietly with status 0 when a Node parent closes its socket', async () => {
    const child = spawn(fixture('identity.js'), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdin.on('error', () => {});
    const first = once(child.stdout, 'data');
    const line = Buffer.from(`${'x'.repeat(99)}\n`);
    const block = Buffer.concat(Array.from({ length: 10_000 }, () => line));
    // Keep feeding input until the filter exits: it must stop on its own once stdout is gone.
    const feed = (async () => {
      while (child.exitCode === null && child.stdin.writable) {
        if (!child.stdin.write(block)) await once(child.stdin, 'drain').catch(() => {});
      }
    })();
    await first;
    child.stdout.destroy();
    const [code, signal] = await once(child, 'exit');
    child.stdin.destroy();
    await feed;
    expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
  });
});
