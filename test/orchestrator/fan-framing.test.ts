import { describe, expect, it } from 'vitest';
import { bin, fixture, manifold, run } from '../helpers.js';
import { recordsOf } from '../support/fan-run.js';
import { quote } from '../support/spawn.js';

// Framing end to end: records cut from real pipes whose reads split delimiters anywhere, and
// output records that come back whole, never spliced, and byte for byte where nothing changed.

/** `slow-pieces ... | manifold args...`, so that manifold reads each piece on its own. */
function fromPieces(pieces: string[], args: string[]) {
  const script = `${quote(fixture('slow-pieces'))} ${pieces.map(quote).join(' ')} | ${[manifold, ...args].map(quote).join(' ')}`;
  return run('sh', ['-c', script]);
}

describe('multi-byte delimiters split across reads (issue 10 item 3)', () => {
  it('the splitter finds ABA begun two reads before it ends', async () => {
    const result = await fromPieces(
      ['xxxxA', 'B', 'ABABB', 'ABAtail'],
      [
        'fan',
        '-j1',
        '--block',
        '8',
        '--split',
        'delim:ABA',
        '--protocol',
        'manifold',
        '--',
        bin('mf-map'),
        '"<"+r+">"',
      ],
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe('<xxxx>ABA<BABB>ABA<tail>ABA');
    expect(result.exitCode).toBe(0);
  });

  it('the splitter finds \\r\\n\\r\\n in 1-byte reads', async () => {
    const pieces = ['a\\r', '\\n', '\\r', '\\n\\r', '\\nb\\r\\n\\r', '\\n'];
    const args = ['fan', '-j1', '--block', '3', '--split', 'delim:\\r\\n\\r\\n'];
    const result = await fromPieces(pieces, [...args, '--per-block', '--', 'wc', '-c']);
    // Blocks: a + its delimiter (5 bytes), \r\nb + its delimiter (7 bytes): never a cut inside one.
    expect(result.stdout.toString().split(/\s+/).filter(Boolean)).toEqual(['5', '7']);
    expect(result.exitCode).toBe(0);
  });

  it('--one-to-one counts a 3-byte delimiter its worker writes a byte at a time', async () => {
    const result = await run(
      manifold,
      [
        'fan',
        '-j1',
        '--one-to-one',
        '--split',
        'delim:ABA',
        '--',
        fixture('bytewise-delimiter.js'),
        'ABA',
      ],
      'aABAbABAc',
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe('aABAbABAcABA');
    expect(result.exitCode).toBe(0);
  });

  it('the ready merge never splices a record of one worker into one of another', async () => {
    // Block 1 is x, BA; its worker writes xABABA, then ABA: xABABA ends x only, BA is still
    // open (ABABA ends with ABA, but left to right that one overlaps the first). Block 2's
    // worker writes yABA in between.
    const result = await run(
      manifold,
      [
        'fan',
        '-j2',
        '--block',
        '9',
        '--per-block',
        '--split',
        'delim:ABA',
        '--',
        fixture('split-write'),
      ],
      'xABABAABAyABA',
    );
    expect(result.stderr).toBe('');
    expect(recordsOf(result.stdout, 'ABA').sort()).toEqual(['BA', 'x', 'y']);
    expect(result.exitCode).toBe(0);
  });
});

describe('output byte for byte (issue 10 item 21)', () => {
  const modes = [
    ['--merge', 'ordered'],
    ['--merge', 'ready'],
    ['--merge', 'ordered', '--per-block'],
    ['--merge', 'ready', '--per-block'],
    ['--merge', 'ordered', '--block', '2'],
    ['--merge', 'ordered', '--block', '2', '--per-block'],
  ];
  for (const mode of modes) {
    it(`a final record without its newline stays without it: ${mode.join(' ')}`, async () => {
      const result = await run(manifold, ['fan', '-j', '2', ...mode, '--', 'cat'], 'a\nb\nc');
      expect(result.stdout.toString()).toBe('a\nb\nc');
      expect(result.exitCode).toBe(0);
    });
  }

  it('with a multi-byte delimiter too', async () => {
    const args = ['fan', '-j', '2', '--split', 'delim:ABA', '--', 'cat'];
    const result = await run(manifold, args, 'aABAb');
    expect(result.stdout.toString()).toBe('aABAb');
  });

  it('a record without its delimiter followed by more output gets one in between', async () => {
    const args = ['fan', '-j2', '--block', '2', '--per-block', '--merge', 'ordered'];
    const result = await run(manifold, [...args, '--', 'tr', '-d', '\\n'], 'a\nb\nc\nd\n');
    expect(result.stdout.toString()).toBe('a\nb\nc\nd');
    expect(result.exitCode).toBe(0);
  });

  it('the ready merge of persistent workers too', async () => {
    const args = ['fan', '-j2', '--block', '2', '--', 'tr', '-d', '\\n'];
    const result = await run(manifold, args, 'a\nb\nc\nd\n');
    const out = result.stdout.toString();
    expect([...out.replace(/\n/g, '')].sort().join('')).toBe('abcd');
    expect(out).not.toMatch(/^\n|\n\n|\n$/);
    expect(result.exitCode).toBe(0);
  });
});

describe('--max-record bounds output records (issue 10 item 13)', () => {
  it('an output record longer than the maximum is a one-line error, exit 1', async () => {
    const script = 'head -c 100000 /dev/zero | tr "\\0" x';
    const args = ['fan', '-j1', '--max-record', '1K', '--', 'sh', '-c', script];
    const result = await run(manifold, args, 'a\n');
    expect(result.stderr).toMatch(
      /^manifold: worker 1 output: record is larger than the maximum record size 1 KiB \(.* so far\); raise it with --max-record\n$/,
    );
    expect(result.exitCode).toBe(1);
  });
});

describe('fixed records (issue 10 item 19)', () => {
  it('mf-filter keeps a short final record as it is', async () => {
    const result = await run(bin('mf-filter'), ['--split', 'fixed:4', 'true'], 'abcdefghij');
    expect(result.stderr).toBe('');
    expect(result.stdout.toString()).toBe('abcdefghij');
    expect(result.exitCode).toBe(0);
  });

  it('a short record that is not the last is still an error', async () => {
    const result = await run(
      bin('mf-map'),
      ['--split', 'fixed:4', 'n === 1 ? "ab" : r'],
      'abcdefgh',
    );
    expect(result.stderr).toMatch(/only the last record may be shorter than 4/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.exitCode).toBe(1);
  });
});
