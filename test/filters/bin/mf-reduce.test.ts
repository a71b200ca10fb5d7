import { describe, expect, it } from 'vitest';
import { bin, fixture, output, run } from '../../helpers.js';

const mfReduce = bin('mf-reduce');

describe('mf-reduce', () => {
  it('counts whole records, sorted in byte order, like sort | uniq -c', async () => {
    const result = await output(mfReduce, ['count'], 'b\na\nb\nB\n\u00e9\nb\n');
    expect(result.toString()).toBe('B\t1\na\t1\nb\t3\n\u00e9\t1\n');
  });

  it('computes sum, min, max and mean of a field per key', async () => {
    const input = 'x 1 10\n  y 2 5\nx\t3 -2.5\ny 4 0\n';
    expect((await output(mfReduce, ['--key', 'field:1', 'sum', '3'], input)).toString()).toBe(
      'x\t7.5\ny\t5\n',
    );
    expect((await output(mfReduce, ['--key', 'field:1', 'min', 'field:3'], input)).toString()).toBe(
      'x\t-2.5\ny\t0\n',
    );
    expect((await output(mfReduce, ['--key', 'field:1', 'max', '3'], input)).toString()).toBe(
      'x\t10\ny\t5\n',
    );
    expect((await output(mfReduce, ['--key', 'field:1', 'mean', '2'], input)).toString()).toBe(
      'x\t2\ny\t3\n',
    );
  });

  it('splits on --field-sep, keeping empty fields', async () => {
    const input = 'a,,3\nb,x,4\na,,5\n';
    expect(
      (
        await output(mfReduce, ['--field-sep', ',', '--key', 'field:2', 'sum', '3'], input)
      ).toString(),
    ).toBe('\t8\nx\t4\n');
  });

  it('reads keys and values from ndjson paths', async () => {
    const input = '{"u":{"id":"b"},"ms":5}\n{"u":{"id":"a"},"ms":7}\n{"u":{"id":"b"},"ms":9}\n';
    expect(
      (await output(mfReduce, ['--key', 'json:u.id', 'max', 'json:ms'], input)).toString(),
    ).toBe('a\t7\nb\t9\n');
  });

  it('reads ndjson under a json: key or field unless --split says otherwise, as table build does (a blank line failed as "invalid JSON")', async () => {
    const input = '{"user":"a","ms":3}\n\n{"user":"b","ms":4}\n  \n{"user":"a","ms":5}\n';
    expect(
      (await output(mfReduce, ['--key', 'json:user', 'max', 'json:ms'], input)).toString(),
    ).toBe('a\t5\nb\t4\n');
    expect((await output(mfReduce, ['--key', 'json:user', 'count'], input)).toString()).toBe(
      'a\t2\nb\t1\n',
    );
    expect((await output(mfReduce, ['sum', 'json:ms'], '{"ms":3}\n\n')).toString()).toBe(
      '{"ms":3}\t3\n',
    );
    const lines = await run(mfReduce, ['--split', 'lines', '--key', 'json:user', 'count'], input);
    expect(lines.stderr).toMatch(/^mf-reduce: stdin:2: invalid JSON: [^\n]*\n$/);
    expect(lines.exitCode).toBe(1);
  });

  it('parses each ndjson record once for a json: key and value (parsed twice: by the SDK, then for the key)', async () => {
    const parses = async (args: string[], records: number) => {
      const input = '{"user":"a","ms":5}\n\n'.repeat(records);
      const result = await run(
        process.execPath,
        ['--import', fixture('count-json-parse.mjs'), mfReduce, ...args],
        input,
      );
      expect(result.exitCode).toBe(0);
      return Number(/^json-parse (\d+)$/m.exec(result.stderr)?.[1]);
    };
    for (const args of [
      ['--key', 'json:user', 'count'],
      ['--key', 'json:user', 'max', 'json:ms'],
    ]) {
      // What the filter parses besides its records (its package.json for --version) cancels out.
      expect((await parses(args, 50)) - (await parses(args, 0))).toBe(50);
    }
  });

  it("a json: key names the data's own keys: json:constructor is missing, an empty key (crashed before)", async () => {
    const input = '{"x":1}\n{"x":2}\n';
    for (const name of ['constructor', '__proto__'])
      expect((await output(mfReduce, ['--key', `json:${name}`, 'count'], input)).toString()).toBe(
        '\t2\n',
      );
  });

  it('says a value that is not a number in its own UTF-8 (was shown as latin1: "Ã©")', async () => {
    const field = await run(mfReduce, ['--key', 'field:1', 'sum', '2'], 'a é\n');
    expect(field.stderr).toBe('mf-reduce: stdin:1: field 2 is not a number: "é"\n');
    const whole = await run(mfReduce, ['sum', 'whole'], 'é\n');
    expect(whole.stderr).toBe('mf-reduce: stdin:1: the record is not a number: "é"\n');
  });

  it('keeps a whole-record key exactly with a json: value (a byte 0xff became U+FFFD)', async () => {
    const input = Buffer.from('{"v":1,"k":"\xff"}\n{"v":2,"k":"\xff"}\n', 'latin1');
    const result = await output(mfReduce, ['--key', 'whole', 'sum', 'json:v'], input);
    expect(
      result.equals(Buffer.from('{"v":1,"k":"\xff"}\t1\n{"v":2,"k":"\xff"}\t2\n', 'latin1')),
    ).toBe(true);
  });

  it('a field key with a json: value is the field of the record as read (was of the JSON written again: {"a": 1} gave {"a":1})', async () => {
    const input = '{"a": 1, "v": 2}\n{"a": 1,  "v": 3}\n{"a": 2, "v": 4}\n';
    expect((await output(mfReduce, ['--key', 'field:2', 'sum', 'json:v'], input)).toString()).toBe(
      '1,\t5\n2,\t4\n',
    );
    const bytes = Buffer.from('{"v": 1, "k": "\xff"}\n', 'latin1');
    expect(await output(mfReduce, ['--key', 'field:4', 'sum', 'json:v'], bytes)).toEqual(
      Buffer.from('"\xff"}\t1\n', 'latin1'),
    );
  });

  it('keeps key bytes exactly', async () => {
    const input = Buffer.from('\u00ff\u00fe 1\n\u00ff\u00fe 2\n', 'latin1');
    const result = await output(mfReduce, ['--key', 'field:1', 'sum', '2'], input);
    expect(result.toString('latin1')).toBe('\u00ff\u00fe\t3\n');
  });

  it('reports a value that is not a number with its record', async () => {
    const result = await run(mfReduce, ['--key', 'field:1', 'sum', '2'], 'a 1\nb two\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('mf-reduce: stdin:2: field 2 is not a number: "two"\n');
  });

  it('reports a record that is not JSON under a json: key with its record, in words', async () => {
    const result = await run(mfReduce, ['--key', 'json:user', 'count'], '{"user":"a"}\nx y\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^mf-reduce: stdin:2: invalid JSON: [^\n]*\n$/);
  });

  it('rejects bad usage with exit 2', async () => {
    for (const [args, message] of [
      [['median', '1'], /operation median is not one of count, sum, min, max, mean/],
      [['sum'], /sum needs a field/],
      [['count', '2'], /count takes no field/],
      // Named the option as manifold fan does (were `key "field:0"`, `field separator "ab"`).
      [['--key', 'field:0', 'count'], /^mf-reduce: --key field:0: fields are numbered from 1/],
      [
        ['--key', 'column:2', 'count'],
        /^mf-reduce: --key column:2 is not one of field:N, json:<dot.path> or whole/,
      ],
      [
        ['--field-sep', 'ab', '--key', 'field:1', 'count'],
        /^mf-reduce: --field-sep ab must be one character/,
      ],
      [['--field-sep', 'ab', 'sum', '2'], /^mf-reduce: --field-sep ab must be one character/],
    ] as const) {
      const result = await run(mfReduce, [...args], '');
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it("points a usage error at --help, as commander's are (setup's came without the tail)", async () => {
    for (const args of [['median', '1'], ['sum'], ['--key', 'field:0', 'count'], ['--nope']]) {
      const result = await run(mfReduce, args, '');
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(
        /^mf-reduce: [^\n]+ \(see 'mf-reduce --help'\)\n$/,
      );
    }
    const result = await run(mfReduce, ['count', '2'], '');
    expect(result.stderr).toBe(
      "mf-reduce: count takes no field (got 2) (see 'mf-reduce --help')\n",
    );
  });

  it('names in --help every form of field it takes, whole too, as its error for a bad one does', async () => {
    const help = (await output(mfReduce, ['--help'])).toString().replace(/\s+/g, ' ');
    expect(help).toContain('sum, min, max, mean: N, field:N, json:<path> or whole (the record)');
    const bad = await run(mfReduce, ['sum', 'col:2'], '');
    expect(bad.stderr).toContain('is not one of field:N, json:<dot.path> or whole');
    expect(
      (await output(mfReduce, ['--key', 'field:2', 'sum', 'whole'], '5\n7\n')).toString(),
    ).toBe('\t12\n');
  });

  it('gives no output for empty input', async () => {
    expect((await output(mfReduce, ['count'], '')).length).toBe(0);
  });
});
