import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../helpers.js';
import { numbered } from '../support/lines.js';
import { outcome, runConfig } from '../support/pipeline.js';
import { tempDir, writeConfig } from '../support/temp.js';

// What a fan stage of `manifold run` says as its workers fail names the config's keys
// (`attribution: protocol`, `threads`, `thread-heap`, `max-record`), not manifold fan's flags
// (`--protocol manifold`, `--threads`, `--thread-heap`, `--max-record`), as its other messages
// do (fan-stage-messages.test.ts). A worker's own command line keeps the arguments it was given.

/** A config of one fan stage named s, `fan` its keys (YAML lines), run on `input`. */
async function runFan(fan: string[], input: string, args: string[] = [], env = {}) {
  const text = `stages:\n  - name: s\n    fan:\n${fan.map((line) => `      ${line}\n`).join('')}`;
  const config = writeConfig(tempDir('manifold-fan-keys-'), text);
  return outcome(await runConfig(config, input, { args, env }));
}

/** No flag of manifold fan in a message, but in a worker's own arguments (`cat --protocol`). */
const noFlag = /[(,;] (raise it with )?--|by --|under --|\(--/;

describe("a fan stage's workers' failures name the config's keys", () => {
  it('a worker that does not speak the protocol: it said --protocol manifold', async () => {
    const result = await runFan(['workers: 1', 'attribution: protocol', 'worker: [cat]'], 'a\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: stage s: worker 1 \(pid \d+: cat --protocol manifold --split lines\) does not speak manifold's block protocol: it exited with status 1 before its greeting \(attribution: protocol runs SDK filters, that call defineFilter\(\.\.\.\)\.main\(\): run it without attribution: protocol\)\n$/,
    );
  });

  it('a filter that writes to stdout itself: it said under --protocol manifold', async () => {
    const worker = `worker: [${JSON.stringify(fixture('stdout-writer.js'))}, flush]`;
    const result = await runFan(['workers: 1', 'attribution: protocol', worker], 'a\nb\n');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      "wrote output that is not manifold's block protocol (under attribution: protocol a filter's output must go through the SDK, not to stdout itself)",
    );
    expect(result.stderr).not.toMatch(noFlag);
  });

  it('a thread that is no SDK filter: it said --threads', async () => {
    const worker = `worker: {run: [${JSON.stringify(fixture('not-a-filter.js'))}], threads: true}`;
    const result = await runFan(['workers: 1', worker], 'a\n');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/ \(threads runs SDK filters only\)/);
    expect(result.stderr).not.toMatch(noFlag);
  });

  it('a thread over its heap: it said --thread-heap', async () => {
    const map = '(globalThis.kept ??= []).push(new Array(10000).fill(n)), r';
    const worker = `worker: {run: [mf-map, ${JSON.stringify(map)}], threads: true}`;
    const result = await runFan(['workers: 1', 'thread-heap: 16M', worker], numbered(1, 20_000));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/ \(its heap is capped at 16 MiB by thread-heap\) on block 1 /);
  });

  it('an input record over max-record: it said raise it with --max-record', async () => {
    const result = await runFan(
      ['workers: 1', 'max-record: 1K', 'worker: cat'],
      `${'x'.repeat(3000)}\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /record is larger than the maximum record size 1 KiB .*; raise it with max-record\n$/,
    );
  });

  it('an output record over max-record, in a sorted merge: it said raise it with --max-record', async () => {
    const long = 'awk \'{ s = sprintf("%3000s", ""); print s }\'';
    const result = await runFan(
      ['workers: 1', 'max-record: 1K', 'merge: sorted', `worker: ${JSON.stringify(long)}`],
      'a\n',
    );
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^manifold: stage s: the merged output \(sort -m\):1: record is larger than the maximum record size 1 KiB .*; raise it with max-record\n$/,
    );
  });

  it('a sorted merge that cannot spill: it said raise --merge-memory, and --verbose --merge-memory, given', async () => {
    const input = Array.from({ length: 100_000 }, (_, i) => `${String(i).padStart(6, '0')}\n`);
    const fan = ['workers: 2', 'merge: sorted', 'merge-memory: 64K', 'block: 64K', 'worker: cat'];
    const result = await runFan(fan, input.join(''), ['--verbose'], { TMPDIR: '/nonexistent' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'manifold: stage s: merge: sorted: manifold merges, since merge-memory, given, asks for a merge that holds and spills within it\n',
    );
    expect(result.stderr).toContain(
      'manifold: stage s: cannot spill the sorted merge to a temporary file in /nonexistent: no such file or directory (ENOENT); set TMPDIR to another folder, or raise merge-memory\n',
    );
    expect(result.stderr).not.toMatch(noFlag);
  });

  it('a host that never answers: it said (--host-timeout)', async () => {
    const dir = tempDir('manifold-fan-keys-');
    // An ssh that connects to nothing and never answers.
    writeFileSync(join(dir, 'silent-ssh'), '#!/bin/sh\nexec sleep 1000\n', { mode: 0o755 });
    const text = [
      `hosts: {list: [h1], ssh: ${JSON.stringify(join(dir, 'silent-ssh'))}, host-timeout: 200ms}`,
      'stages:',
      '  - name: s',
      '    fan: {workers: 1, worker: cat}',
      '',
    ].join('\n');
    const result = outcome(await runConfig(writeConfig(dir, text), 'a\n'));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/: no answer within 200ms \(hosts\.host-timeout\)\n$/);
    expect(result.stderr).not.toMatch(noFlag);
  });
});
