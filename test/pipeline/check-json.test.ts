import { describe, expect, it } from 'vitest';
import { check, type Expected, expectProblems, tempDir } from '../support/check.js';
import { writeConfig } from '../support/temp.js';

// A `.json` config is read as JSON, not as the YAML it would also be: what JSON has not (a
// trailing comma, a comment, a single-quoted string) is a problem where it stands, exit 2.
// A `.yaml` or `.yml` config is YAML, JSON's syntax and YAML's own alike.

const json = (text: string, expected: Expected[]) =>
  expectProblems(text, expected, 'pipeline.json');

describe('a .json config', () => {
  it('with a trailing comma in an object: it was accepted, as YAML', async () => {
    await json('{\n  "stages": [{"run": "cat"}],\n}\n', [
      [',\n}', /a trailing comma: JSON has none before }$/],
    ]);
  });

  it('with a trailing comma in a list', async () => {
    await json('{"stages": [{"run": "cat"},\n  ]}\n', [
      [',\n  ]', /a trailing comma: JSON has none before ]$/],
    ]);
  });

  it('with a comment, of either kind', async () => {
    await json('{\n  // the stages\n  "stages": [{"run": "cat"}]\n}\n', [
      ['// the', /a comment: JSON has none$/],
    ]);
    await json('{"stages": [{"run": "cat"}]} # done\n', [['# done', /a comment: JSON has none$/]]);
  });

  it('with a single-quoted string, a bare key, a missing comma', async () => {
    await json('{"stages": [{"run": \'cat\'}]}\n', [
      ["'cat'", /expected a value: JSON strings are in double quotes$/],
    ]);
    await json('{stages: [{"run": "cat"}]}\n', [['stages', /expected a "quoted" key or }$/]]);
    await json('{"stages": [{"run": "cat"} {"run": "cat"}]}\n', [
      ['{"run": "cat"}]', /expected , or ] after a value in a list$/],
    ]);
  });

  it('cut short, and with more after its value', async () => {
    await json('{"stages": [{"run": "cat"}]\n', [
      ['{"stages"', /this { is not closed: the JSON ends first$/],
    ]);
    await json('{"stages": [{"run": "cat"}]}\n{}\n', [['{}\n', /more after the JSON value$/]]);
  });

  it('that is good JSON checks and points at its values as before', async () => {
    const text = '{\n  "stages": [{"fan": {"worker": "cat", "block": "10X"}}]\n}\n';
    await json(text, [['"10X"', /block 10X is not a size/]]);
    const dir = tempDir();
    const good = writeConfig(dir, '\ufeff{"stages": [{"run": "cat"}]}', 'p.JSON');
    expect((await check(good)).exitCode).toBe(0);
  });
});

describe('a .yaml or .yml config', () => {
  it("is YAML: a flow map's trailing comma and a comment are YAML's own", async () => {
    const dir = tempDir();
    for (const name of ['p.yaml', 'p.yml']) {
      const file = writeConfig(dir, '# one stage\n{"stages": [{"run": "cat"},],}\n', name);
      const result = await check(file);
      expect({ code: result.exitCode, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    }
  });
});

describe('a .yaml config of more than one document', () => {
  it("is a problem at the second, in manifold's words: it said 'please use YAML.parseAllDocuments()'", async () => {
    const text = 'stages: [{run: cat}]\n---\nstages: [{run: cat}]\n';
    await expectProblems(text, [['---', /a config is one YAML document: a second begins here$/]]);
  });
});
