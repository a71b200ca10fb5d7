import { describe, it } from 'vitest';
import { expectProblems, tempDir } from '../support/check.js';
import { builtTable, TSV_BY_FIELD_1 } from '../support/tables.js';

// A bad value is said, and leaves out the checks that would read it (docs/config.md,
// Checking): each case below added a second problem, made of the bad value (QA).

const fan = (keys: string) => `stages:\n  - fan:\n${keys}`;

describe('a bad value is said alone, not with what reading it would make', () => {
  it("a queue's bad value is said, not a key that does not go with a queue", async () => {
    const queue = '      queue: nats://127.0.0.1:4999\n';
    await expectProblems(fan(`${queue}      job: "a b"\n      tag: true\n`), [
      ['"a b"', /job 'a b' is not a job name: /],
    ]);
    await expectProblems(fan(`${queue}      ack-wait: forever\n      workers: 3\n`), [
      ['forever', /ack-wait must be a duration from 1ms .* \(got forever\)$/],
    ]);
    // Both, as every bad value of a fan is.
    await expectProblems(fan(`${queue}      job: "a b"\n      ack-wait: 10ms\n      tag: true\n`), [
      ['"a b"', /job 'a b' is not a job name: /],
      ['10ms', /ack-wait must be at least 1s: /],
    ]);
    for (const [value, message] of [
      ['~', /"queue" has no value: /],
      ['true', /"queue" must be a string, not true /],
      ['3', /queue 3 is not an address: /],
      ['""', /queue '' is not an address: /],
    ] as const) {
      await expectProblems(fan(`      worker: cat\n      queue: ${value}\n`), [[value, message]]);
    }
    // A key the schema found bad, as one its checks find: `retries: ~` hid nothing.
    await expectProblems(
      fan('      worker: cat\n      retries: ~\n      tag: true\n      tag-string: x\n'),
      [['~', /"retries" has no value: /]],
    );
  });

  it("a bad table name is said at it, not again at every fan in the command line's form", async () => {
    const table = await builtTable(tempDir(), 'users', 'u1\tAda\n', TSV_BY_FIELD_1);
    for (const name of ['""', '"a=b"']) {
      await expectProblems(
        `tables:\n  ${name}: ${table}\nstages:\n  - fan:\n      worker: cat\n  - fan:\n      worker: cat\n`,
        [[name, /a name in "tables" \(".*"\) may hold only letters, digits, _ \. and -$/]],
      );
    }
  });

  it('a use: of the wrong type makes no stages, whose names it would take twice', async () => {
    const text = [
      'pipelines:',
      '  up:',
      '    - name: s',
      '      run: [tr, a-z, A-Z]',
      'stages:',
      '  - use: up',
      '  - use: [up]',
      '',
    ].join('\n');
    await expectProblems(text, [['[up]', /"use" must be a string$/]]);
  });

  it("an empty string in a hosts map's key is that alone, not a hosts of no form", async () => {
    for (const [setting, needle, message] of [
      ['ssh: ""', '""', /"ssh" is an empty string: /],
      ['file: ""', '""', /"file" is an empty string: /],
      ['remote-manifold: ""', '""', /"remote-manifold" is an empty string: /],
      ['transfer: [""]', '""', /(stages\[0\]\.fan\.)?hosts\.transfer\[0\] is an empty string: /],
    ] as const) {
      const hosts = `{list: [":"], ${setting}}`;
      await expectProblems(`hosts: ${hosts}\nstages: [{fan: {worker: cat}}]\n`, [
        [needle, message],
      ]);
      await expectProblems(`stages: [{fan: {worker: cat, hosts: ${hosts}}}]\n`, [
        [needle, message],
      ]);
    }
  });

  it('a number past 2^53 is quoted as written, not rounded', async () => {
    const big = '99999999999999999999';
    for (const [key, message] of [
      ['retries', /retries must be a whole number of at least 0 \(got 99999999999999999999\)$/],
      ['records', /records must be a whole number of at least 1 \(got 99999999999999999999\)$/],
      ['nice', /nice must be a niceness, .* \(got 99999999999999999999\)$/],
    ] as const) {
      await expectProblems(fan(`      worker: cat\n      ${key}: ${big}\n`), [[big, message]]);
    }
  });
});
