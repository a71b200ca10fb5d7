import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { expectProblems } from '../support/check.js';
import { tempDir } from '../support/temp.js';

// `hosts:` in a config: a bad setting is a problem at its own key (and the entry of a list that
// is wrong), named as the config writes it, not at `hosts:` as a whole.

const fan = 'stages:\n  - fan:\n      worker: cat\n';

describe('problems of hosts, each at its key', () => {
  // Checked only where a fan used them: with no fan, or fans of hosts of their own, every one
  // of these passed, exit 0 (QA).
  it("the config's own hosts are checked with no fan that uses them, each problem once", async () => {
    const plain = 'stages:\n  - run: cat\n';
    const own = 'stages:\n  - fan:\n      hosts: [":"]\n      worker: cat\n';
    for (const stages of [plain, own]) {
      await expectProblems(`hosts: []\n${stages}`, [['[]', /hosts is an empty list: /]]);
      await expectProblems(`hosts: {ssh: ssh}\n${stages}`, [
        [['ssh', 2], /hosts\.ssh needs hosts \(hosts\.list\)$/],
      ]);
    }
    await expectProblems(`hosts: [a, a]\n${fan}${fan.slice('stages:\n'.length)}`, [
      ['a]', /host a is named twice, by hosts\[0\] a and hosts\[1\] a: /],
    ]);
  });

  it('a setting without hosts is at its key, and names hosts.list', async () => {
    await expectProblems(`hosts: {ssh: ssh}\n${fan}`, [
      [['ssh', 2], /hosts\.ssh needs hosts \(hosts\.list\)$/],
    ]);
    await expectProblems(
      'stages:\n  - fan:\n      hosts:\n        cleanup: true\n      worker: cat\n',
      [['true', /hosts\.cleanup needs hosts \(hosts\.list\)$/]],
    );
  });

  it('a bad host is at its entry, in a list and in hosts.list', async () => {
    await expectProblems(`hosts: [":", "a@b@c"]\n${fan}`, [
      ['"a@b@c"', /hosts: 'a@b@c' is not \[user@\]host\[:port\]\[\/slots\]$/],
    ]);
    await expectProblems(`hosts:\n  list: [":", "a@b@c"]\n${fan}`, [
      ['"a@b@c"', /hosts\.list: 'a@b@c' is not \[user@\]host\[:port\]\[\/slots\]$/],
    ]);
  });

  it('a host named twice is at its second place, naming both', async () => {
    await expectProblems(`hosts: [":", "h1", "h1/3"]\n${fan}`, [
      [
        '"h1/3"',
        /host h1 is named twice, by hosts\[1\] h1 and hosts\[2\] h1\/3: name it once, with its slots \(h1\/N\)$/,
      ],
    ]);
    const file = join(tempDir(), 'hosts.txt');
    writeFileSync(file, 'h2\nh1/4\n');
    await expectProblems(`hosts:\n  list: [h1]\n  file: ${file}\n${fan}`, [
      [file, /host h1 is named twice, by hosts\.list\[0\] h1 and .*hosts\.txt:2: name it once/],
    ]);
  });

  it('a bad file, timeout, transfer or ssh is at its key', async () => {
    const local = (more: string) => `hosts:\n  list: [":"]\n${more}${fan}`;
    await expectProblems(`hosts:\n  file: nofile\n${fan}`, [
      ['nofile', /hosts\.file nofile: no such file$/],
    ]);
    await expectProblems(local('  host-timeout: 1ms\n'), [
      ['1ms', /hosts\.host-timeout must be a duration/],
    ]);
    await expectProblems(local('  transfer: [present.js, missing.js]\n'), [
      ['missing.js', /hosts\.transfer missing\.js: no such file$/],
    ]);
    await expectProblems(`hosts:\n  list: [h1]\n  ssh: no-such-ssh -v\n${fan}`, [
      ['no-such-ssh', /hosts\.ssh no-such-ssh: /],
    ]);
  });
});

describe('hosts that name no host', () => {
  // Each ran the fans on this machine, as if hosts were left out (or, for an empty name, said
  // two problems: "hosts must be a list ..." at hosts, and the entry's own).
  it('an empty list, or an empty hosts.list, is a problem at it', async () => {
    await expectProblems(`hosts: []\n${fan}`, [
      ['[]', /hosts is an empty list: name one or more hosts, or leave the key out$/],
    ]);
    await expectProblems(`hosts: {list: []}\n${fan}`, [
      ['[]', /hosts\.list is an empty list: name one or more hosts, or leave the key out$/],
    ]);
    await expectProblems('stages:\n  - fan:\n      hosts:\n        list: []\n      worker: cat\n', [
      ['[]', /hosts\.list is an empty list: name one or more hosts, or leave the key out$/],
    ]);
  });

  it('a map without list or file is a problem at hosts', async () => {
    await expectProblems(`hosts: {}\n${fan}`, [
      ['{}', /hosts names no host: give it list or file, or leave the key out$/],
    ]);
    await expectProblems(`hosts: {cleanup: false}\n${fan}`, [
      ['{', /hosts names no host: give it list or file, or leave the key out$/],
    ]);
  });

  it('an empty name is one problem, at its entry', async () => {
    await expectProblems(`hosts: [":", ""]\n${fan}`, [
      ['""', /hosts: '' is not \[user@\]host\[:port\]\[\/slots\]$/],
    ]);
    await expectProblems(`hosts: {list: [""]}\n${fan}`, [
      ['""', /hosts\.list: '' is not \[user@\]host\[:port\]\[\/slots\]$/],
    ]);
  });
});

describe('an unknown key in a map that may also be a list or a command', () => {
  it('is named, with a hint: it was hidden behind "must be a list ... or a map of ..."', async () => {
    await expectProblems(`hosts: {lst: [h1]}\n${fan}`, [
      ['lst', /unknown key "lst" in hosts \(did you mean "list"\?\); known: list, file, /],
    ]);
    await expectProblems('stages:\n  - fan:\n      worker: {run: cat, thread: true}\n', [
      [
        'thread',
        /unknown key "thread" in stages\[0\]\.fan\.worker \(did you mean "threads"\?\); known: /,
      ],
    ]);
  });
});
