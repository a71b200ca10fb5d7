import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../helpers.js';
import { type CutCase, perBlock } from './cut-case.js';
import { contentOf, headerOf, keyOf, recordsOf } from './cut-reference.js';
import { recordsDiff } from './fan-check.js';
import { type Finished, hasStackTrace } from './spawn.js';

// What a run of a CutCase must give, by the reference of cut-reference.ts: the output of
// --merge ordered is what one process of the worker gives for the whole input (the input
// itself for cat), that of --merge ready the same records (N times under broadcast), of
// --merge sorted those sorted; each per-block worker's block is whole records, and together
// they are the input (the header at the top of each); -N blocks hold n records, the last
// fewer; --group-by never cuts between two records of one key; --block -n makes at most n
// blocks a worker; a --block size is never exceeded but by one record (one run of a key).

const show = (bytes: Buffer) => JSON.stringify(bytes.toString('latin1'));

/** As fan-check's, of records held as latin1 text. */
const multisetDiff = (actual: string[], expected: string[]): string[] =>
  recordsDiff(
    actual.map((key) => Buffer.from(key, 'latin1')),
    expected.map((key) => Buffer.from(key, 'latin1')),
  );

/** What a ready merge's output is compared by: lines for lines:<n>, bytes for start strings. */
function unitsOf(c: CutCase, data: Buffer): string[] {
  if (c.framing.startsWith('lines:')) {
    const lines = data.toString('latin1').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  }
  if (c.framing.startsWith('start:') || c.framing.startsWith('between:')) {
    // A first record without the start string reads back as part of the one before it.
    return [...data.toString('latin1')].filter((ch) => ch !== '\n');
  }
  return recordsOf(c.framing, data).map((r) => contentOf(c.framing, data, r).toString('latin1'));
}

/**
 * What one process of the worker writes for `data`: the bytes themselves for `cat` and `tee`;
 * an SDK filter (--protocol, --threads) ends its last record with a delimiter.
 */
function oneProcess(c: CutCase, data: Buffer): Buffer {
  if (c.worker !== 'protocol' && c.worker !== 'threads') return data;
  const filter = spawnSync(process.execPath, [fixture('crash-identity.js'), '--split', c.framing], {
    input: data,
  });
  return filter.stdout;
}

function outputProblems(c: CutCase, stdout: Buffer): string[] {
  const { header: input, body: rest } = headerOf(c);
  const [header, body] = [oneProcess(c, input), oneProcess(c, rest)];
  const whole = oneProcess(c, c.input);
  const expected = input.length > 0 && rest.length === 0 ? Buffer.alloc(0) : whole;
  if (c.merge === 'ordered') {
    if (stdout.equals(expected)) return [];
    const at = [...expected].findIndex((byte, i) => stdout[i] !== byte);
    return [
      `--merge ordered: output differs from the input at byte ${at < 0 ? expected.length : at}: ${stdout.length} bytes out, ${expected.length} in; out ${show(stdout.subarray(0, 80))}`,
    ];
  }
  const copies = c.dispatch === 'broadcast' ? c.workers : 1;
  if (c.merge === 'sorted') {
    const all = Array.from({ length: copies }, () => unitsOf(c, body)).flat();
    const want = all.map((unit) => Buffer.from(unit, 'latin1')).sort(Buffer.compare);
    const got = unitsOf(c, stdout);
    const at = want.findIndex((unit, i) => got[i] !== unit.toString('latin1'));
    if (at < 0 && got.length === want.length) return [];
    return [
      `--merge sorted: record ${at + 1} is ${JSON.stringify(got[at])}, want ${show(want[at] ?? Buffer.alloc(0))} (${got.length} records out, ${want.length} in)`,
    ];
  }
  const want = [
    ...unitsOf(c, header),
    ...Array.from({ length: copies }, () => unitsOf(c, body)).flat(),
  ];
  return multisetDiff(unitsOf(c, stdout), rest.length === 0 ? [] : want).map(
    (line) => `--merge ready: ${line}`,
  );
}

/** The per-block workers' blocks, by worker (one group but under broadcast), by block number. */
function blocksOf(c: CutCase, dir: string): Map<number, Map<number, Buffer>> {
  const groups = new Map<number, Map<number, Buffer>>();
  const folder = join(dir, 'blocks');
  if (!existsSync(folder)) return groups;
  for (const name of readdirSync(folder)) {
    const [, block, worker] = name.split('-').map(Number) as [number, number, number];
    const group = c.dispatch === 'broadcast' ? worker : 0;
    if (!groups.has(group)) groups.set(group, new Map());
    groups.get(group)!.set(block, readFileSync(join(folder, name)));
  }
  return groups;
}

function blockProblems(c: CutCase, dir: string): string[] {
  const { header, body } = headerOf(c);
  const records = recordsOf(c.framing, body);
  const ends = new Map(records.map((r, i) => [r.end, i]));
  const problems: string[] = [];
  const groups = blocksOf(c, dir);
  if (body.length > 0 && groups.size !== (c.dispatch === 'broadcast' ? c.workers : 1)) {
    problems.push(`blocks came from ${groups.size} worker(s)`);
  }
  for (const [worker, blocks] of groups) {
    const numbers = [...blocks.keys()].sort((a, b) => a - b);
    const who = worker > 0 ? `worker ${worker}: ` : '';
    if (numbers.some((n, i) => n !== i + 1)) problems.push(`${who}block numbers ${numbers}`);
    const cap = { parts: c.cut.kind === 'parts' ? c.cut.n * (worker > 0 ? 1 : c.workers) : 0 };
    if (c.cut.kind === 'parts' && numbers.length > cap.parts) {
      problems.push(
        `${who}${numbers.length} blocks, want at most ${cap.parts} (--block -${c.cut.n})`,
      );
    }
    let at = 0;
    let first = 0;
    for (const n of numbers) {
      const bytes = blocks.get(n)!;
      if (!bytes.subarray(0, header.length).equals(header)) {
        problems.push(
          `${who}block ${n} does not begin with the header: ${show(bytes.subarray(0, 40))}`,
        );
      }
      const part = bytes.subarray(header.length);
      if (!part.equals(body.subarray(at, at + part.length))) {
        problems.push(
          `${who}block ${n} is not the input's bytes from ${at}: ${show(part.subarray(0, 60))}`,
        );
        break;
      }
      at += part.length;
      const last = ends.get(at);
      if (part.length === 0 || last === undefined) {
        problems.push(
          `${who}block ${n} (${part.length} bytes) does not end at a record's end (byte ${at})`,
        );
        break;
      }
      const count = last + 1 - first;
      if (c.cut.kind === 'count' && count !== c.cut.n && at !== body.length) {
        problems.push(`${who}block ${n} has ${count} records, want ${c.cut.n} (-N)`);
      }
      if (c.cut.kind === 'count' && count > c.cut.n) {
        problems.push(`${who}the last block ${n} has ${count} records, want at most ${c.cut.n}`);
      }
      const keys = records
        .slice(first, last + 1)
        .map((r) => keyOf(c, contentOf(c.framing, body, r)));
      const oneRun = c.groupBy === null ? count === 1 : keys.every((key) => key === keys[0]);
      if (c.cut.kind === 'size' && part.length > c.cut.block && !oneRun) {
        problems.push(
          `${who}block ${n} is ${part.length} bytes, over --block ${c.cut.block}, and not one ${c.groupBy ? 'run' : 'record'}`,
        );
      }
      const next = records[last + 1];
      if (
        c.groupBy !== null &&
        next &&
        keyOf(c, contentOf(c.framing, body, next)) === keys.at(-1)
      ) {
        problems.push(
          `${who}block ${n} ends inside the run of key ${JSON.stringify(keys.at(-1))} (--group-by)`,
        );
      }
      first = last + 1;
    }
    if (at !== body.length && problems.length === 0) {
      problems.push(`${who}the blocks hold ${at} bytes of the input's ${body.length}`);
    }
  }
  return problems;
}

function statsProblems(c: CutCase, dir: string): string[] {
  const file = join(dir, 'stats.json');
  if (!existsSync(file)) return ['no --stats file'];
  const stats = JSON.parse(readFileSync(file, 'utf8')) as { totals: { blocks: number } };
  if (c.cut.kind !== 'count' || c.dispatch === 'broadcast') return [];
  const { body } = headerOf(c);
  const want = Math.ceil(recordsOf(c.framing, body).length / c.cut.n);
  return stats.totals.blocks === want
    ? []
    : [`--stats counts ${stats.totals.blocks} blocks, want ${want} (-N ${c.cut.n})`];
}

/** Everything wrong with `result` as the outcome of `c`, run in `dir`. */
export function cutProblems(c: CutCase, result: Finished, dir: string): string[] {
  if (result.hung) return ['hung: still running when the time allowed was over (killed)'];
  if (hasStackTrace(result.stderr)) return [`a stack trace on stderr: ${result.stderr}`];
  if (result.exitCode !== 0 || result.stderr !== '') {
    return [`exit ${result.exitCode ?? result.signal}, want 0: ${result.stderr.trim()}`];
  }
  return [
    ...outputProblems(c, result.stdout),
    // Under hash a per-block worker's block is its part of an input block, picked by key.
    ...(perBlock(c) && c.dispatch !== 'hash' ? blockProblems(c, dir) : []),
    ...statsProblems(c, dir),
  ];
}
