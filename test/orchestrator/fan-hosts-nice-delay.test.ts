import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan as fanApi } from '../../orchestrator/index.js';
import { fan, ok } from '../support/fan-run.js';
import { records } from '../support/lines.js';
import { runConfig } from '../support/pipeline.js';
import { useTestHosts } from '../support/sshd.js';
import { gaps, starts } from '../support/start-times.js';
import { tempDir, writeConfig } from '../support/temp.js';

// --nice and --delay with --host, through a real sshd. --nice: a host's worker processes start
// at that niceness, as GNU parallel runs its remote jobs under it; each worker reports its own,
// field 19 of /proc/$$/stat ($$ the worker's shell). --delay: blocks start at least the delay
// apart, on hosts as locally; each start is a --joblog row's Starttime.

const test = useTestHosts(1);

/** A worker that reads its block and prints its niceness once. */
const REPORT = 'cat >/dev/null; cut -d" " -f19 /proc/$$/stat';

/** The nicenesses the workers printed, one a line. */
const nicenesses = (stdout: Buffer | string) => stdout.toString().split('\n').filter(Boolean);

describe('manifold fan --nice with --host', () => {
  it.each([
    ['persistent workers', []],
    ['per-block workers', ['--per-block', '-N', '10']],
  ])(
    '%s: every worker process on the host, and on this machine (:), runs at niceness 9',
    async (_name, args) => {
      const hosts = ['--ssh', test.ssh, '--host', `${test.hosts[0]!.name}/2`, '--host', ':/1'];
      const result = await fan(
        [...hosts, '--nice', '9', ...args, '--shell', '--', REPORT],
        records(1, 60),
      );
      expect(ok(result)).toEqual({ exitCode: 0, stderr: '' });
      const seen = nicenesses(result.stdout);
      expect(seen.length).toBeGreaterThanOrEqual(args.length === 0 ? 1 : 6);
      expect(seen.filter((n) => n !== '9')).toEqual([]);
    },
  );

  it('a config says nice: 9 with hosts, and the library nice: 9 with hosts', async () => {
    const dir = tempDir('manifold-hosts-nice-');
    const config = writeConfig(dir, {
      hosts: { list: [`${test.hosts[0]!.name}/2`], ssh: test.ssh },
      stages: [{ name: 'low', fan: { nice: 9, records: 1, worker: REPORT } }],
    });
    const fromConfig = await runConfig(config, records(1, 4));
    expect([fromConfig.exitCode, fromConfig.stderr.toString()]).toEqual([0, '']);
    expect(new Set(nicenesses(fromConfig.stdout))).toEqual(new Set(['9']));

    let out = '';
    await fanApi(
      { command: REPORT, nice: 9, hosts: [`${test.hosts[0]!.name}/2`], ssh: test.ssh },
      {
        input: Readable.from([records(1, 4)]),
        output: new Writable({
          write(chunk: Buffer, _encoding, done) {
            out += chunk.toString();
            done();
          },
        }),
      },
    );
    expect(new Set(nicenesses(out))).toEqual(new Set(['9']));
  });
});

describe('manifold fan --delay with --host', () => {
  it.each([
    ['per-block processes', ['--per-block']],
    ['persistent workers (--one-to-one), each block sent', ['--one-to-one']],
  ])('%s: every two blocks start at least the delay apart', async (_name, args) => {
    const log = join(tempDir('manifold-hosts-delay-'), 'jobs.tsv');
    // 6 blocks of 64 records over 3 slots: without a delay they start together.
    const result = await fan(
      [
        ...['--ssh', test.ssh, '--host', `${test.hosts[0]!.name}/3`],
        ...['-N', '64', ...args, '--delay', '150ms', '--joblog', log, '--', 'cat'],
      ],
      records(1, 384),
    );
    expect(ok(result)).toEqual({ exitCode: 0, stderr: '' });
    expect(result.stdout.toString().split('\n').sort()).toEqual(records(1, 384).split('\n').sort());
    const times = starts(readFileSync(log, 'utf8'));
    expect(times.length).toBe(6);
    expect(gaps(times).filter((gap) => gap < 150)).toEqual([]);
  });
});
