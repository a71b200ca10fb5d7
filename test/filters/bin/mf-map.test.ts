import { describe, expect, it } from 'vitest';
import { bin, output, run } from '../../helpers.js';

const mfMap = bin('mf-map');

describe('mf-map', () => {
  it('replaces each line with the expression of r', async () => {
    expect((await output(mfMap, ['r.toUpperCase()'], 'abc\ndéf\n')).toString()).toBe('ABC\nDÉF\n');
  });

  it('sees the record number as n', async () => {
    expect((await output(mfMap, ['n + ":" + r'], 'a\nb')).toString()).toBe('1:a\n2:b\n');
  });

  it('numbers records right across its reads, where a record spans two of them', async () => {
    // 100,000 lines are ~590 KB: read in 64 KiB pieces, several records cut between two reads.
    const lines = Array.from({ length: 100_000 }, (_, i) => String(i + 1));
    const out = (await output(mfMap, ['n + " " + r'], `${lines.join('\n')}\n`)).toString();
    const wrong = out
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.split(' ')[0] !== line.split(' ')[1]);
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('drops undefined and null, and emits each element of an array', async () => {
    const result = await output(
      mfMap,
      ['r === "x" ? undefined : r === "y" ? null : r.split(",")'],
      'a,b\nx\ny\nc\n',
    );
    expect(result.toString()).toBe('a\nb\nc\n');
  });

  it('writes numbers and objects as JSON text', async () => {
    expect((await output(mfMap, ['r.length'], 'abc\n')).toString()).toBe('3\n');
    expect((await output(mfMap, ['({ r })'], 'abc\n')).toString()).toBe('{"r":"abc"}\n');
  });

  it('keeps the bytes of records it returns unchanged, invalid UTF-8 and CR included', async () => {
    const input = Buffer.from('ok\r\n\u00ff\u00fe bad\nlast', 'latin1');
    const result = await output(mfMap, ['r'], input);
    expect(result.toString('latin1')).toBe('ok\r\n\u00ff\u00fe bad\nlast\n');
  });

  // In ndjson output these went out as their original bytes: not JSON (a record not UTF-8),
  // or one record over several lines (JSON read from nul); the next ndjson reader failed (QA).
  it('writes ndjson that is ndjson: a text record unchanged as a JSON string, pretty JSON on one line', async () => {
    const text = await output(
      mfMap,
      ['--join', 'ndjson', 'r'],
      Buffer.from('ok\nx"\xff\n', 'latin1'),
    );
    expect(text.toString()).toBe('"ok"\n"x\\"\uFFFD"\n');
    const nul = await output(mfMap, ['--split', 'nul', '--join', 'ndjson', 'r'], 'a\nb\xff\0');
    expect(nul.toString()).toBe(`${JSON.stringify('a\nb\u00ff')}\n`);
    const pretty = '{"a":1}\0{\n "a": 2\n}\0{ "b" : 3 }\0';
    const json = await output(mfMap, ['--json', '--split', 'nul', '--join', 'ndjson', 'r'], pretty);
    // One line as it was is kept as written; the one over lines is written anew.
    expect(json.toString()).toBe('{"a":1}\n{"a":2}\n{ "b" : 3 }\n');
    // And the project's own ndjson reader takes it.
    const back = await output(mfMap, ['--json', 'r.a ?? r.b'], json);
    expect(back.toString()).toBe('1\n2\n3\n');
  });

  it('maps ndjson values with --json', async () => {
    const result = await output(
      mfMap,
      ['--json', '({ ...r, sum: r.a + r.b })'],
      '{"a":1,"b":2}\n{"a":3,"b":4}\n',
    );
    expect(result.toString()).toBe('{"a":1,"b":2,"sum":3}\n{"a":3,"b":4,"sum":7}\n');
  });

  it('writes JSON strings raw with --json --join lines', async () => {
    const result = await output(
      mfMap,
      ['--json', '--join', 'lines', 'r.name'],
      '{"name":"ann"}\n{"name":"bo"}\n',
    );
    expect(result.toString()).toBe('ann\nbo\n');
  });

  it('keeps an unchanged JSON record byte for byte', async () => {
    const input = '{ "a" : 1 }\n{"b":[1, 2]}\n';
    expect((await output(mfMap, ['--json', 'r'], input)).toString()).toBe(input);
  });

  it('writes a JSON record changed in place and returned as itself with its change', async () => {
    const input = '{"a":1,"b":2}\n{ "a" : 3, "b": 4 }\n';
    expect((await output(mfMap, ['--json', '(r.total = r.a + r.b, r)'], input)).toString()).toBe(
      '{"a":1,"b":2,"total":3}\n{"a":3,"b":4,"total":7}\n',
    );
    const nested = '{"b":[1, 2]}\n[1]\n';
    expect((await output(mfMap, ['--json', '((r.b ?? r).push(3), r)'], nested)).toString()).toBe(
      '{"b":[1,2,3]}\n[1,3]\n', // an array returned as itself is the record: one, not one per element
    );
    // Not changed, though JSON.stringify writes them otherwise: the original text stays.
    const same = '{"n":9007199254740993}\n{"x":1.0, "y":[ ]}\n';
    expect((await output(mfMap, ['--json', '(r.y?.push(), r)'], same)).toString()).toBe(same);
  });

  it('works on NUL-separated records', async () => {
    expect((await output(mfMap, ['--split', 'nul', 'r + "!"'], 'a\nb\0c\0')).toString()).toBe(
      'a\nb!\0c!\0',
    );
  });

  it('rejects an expression that does not compile: exit 2, showing it', async () => {
    const result = await run(mfMap, ['r +'], 'a\n');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      "mf-map: the expression 'r +' is not valid JavaScript: Unexpected end of input (see 'mf-map --help')\n",
    );
  });

  it('reports an expression that throws on a record: exit 1 with the record number', async () => {
    const result = await run(mfMap, ['r.x.y'], 'a\nb\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(
      "mf-map: stdin:1: TypeError: Cannot read properties of undefined (reading 'y')\n",
    );
  });

  it("says a record its --join cannot hold as manifold's line, without a JavaScript class", async () => {
    // They were `RangeError: the record does not begin with ...`: manifold's own errors.
    const cases: [string[], string, string][] = [
      [
        ['--split', 'start:>', '--join', 'start:>', '"x"'],
        '>a\n>b\n',
        'the record does not begin with ">"; in start:> output only the first record may not',
      ],
      [
        ['--split', 'fixed:4', '--join', 'fixed:4', 'r.slice(0, 2)'],
        'abcdefghij',
        'a record follows one of 2 bytes; in fixed:4 output only the last record may be shorter than 4',
      ],
      [['--join', 'fixed:2', 'r'], 'abc\n', 'record is 3 bytes; fixed:2 output needs exactly 2'],
    ];
    for (const [args, input, message] of cases) {
      const result = await run(mfMap, args, input);
      expect({
        exitCode: result.exitCode,
        stderr: result.stderr.replace(/^mf-map: stdin:\d+: /, ''),
      }).toEqual({ exitCode: 1, stderr: `${message}\n` });
    }
  });

  it("says a result that refers to itself in one line with its record (was V8's three lines)", async () => {
    const circular = '(() => { const o = { r }; o.o = o; return o; })()';
    for (const args of [[circular], ['--json', circular]]) {
      const result = await run(mfMap, args, '"a"\n"b"\n');
      expect(result.stderr, args.join(' ')).toBe(
        "mf-map: stdin:1: cannot write the result as JSON: it refers to itself (property 'o' closes the circle)\n",
      );
      expect(result.exitCode, args.join(' ')).toBe(1);
    }
  });

  it('puts what cannot be JSON, or a thrown message of several lines, on one line', async () => {
    const bigint = await run(mfMap, ['n === 2 ? { big: 1n } : r'], 'a\nb\n');
    expect(bigint.stdout.toString()).toBe('a\n');
    expect(bigint.stderr).toBe(
      'mf-map: stdin:2: cannot write the result as JSON: TypeError: Do not know how to serialize a BigInt\n',
    );
    const thrown = await run(mfMap, ['(() => { throw new Error("first\\n  second"); })()'], 'a\n');
    expect(thrown.stderr).toBe('mf-map: stdin:1: Error: first second\n');
    expect(thrown.exitCode).toBe(1);
  });

  it('needs an expression', async () => {
    const result = await run(mfMap, [], '');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^mf-map: missing required argument 'expression'/);
  });

  it('documents itself', async () => {
    const help = (await output(mfMap, ['--help'])).toString();
    for (const text of [
      '<expression>',
      '--json',
      '--split',
      '--join',
      '--max-record',
      'Examples',
    ]) {
      expect(help).toContain(text);
    }
  });
});
