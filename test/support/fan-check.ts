import { CRASH, expectedOf, type FanCase, hasCrashPoint, inputOf } from './fan-case.js';
import { decode, framingOf } from './framing.js';
import { type Finished, hasStackTrace } from './spawn.js';

// What a run of a FanCase must give: every input record exactly once (N times under
// broadcast), whole, in input order under --merge ordered, sorted under --merge sorted; exit 0
// when nothing failed or retries sufficed; otherwise exit 1 with one line, and only whole
// records, a clean prefix of the input under --merge ordered.

const show = (record: Buffer) => JSON.stringify(record.toString('latin1'));

/** Records of `actual` missing from `expected` and the other way round, up to 3 of each. */
export function recordsDiff(actual: Buffer[], expected: Buffer[]): string[] {
  const counts = new Map<string, number>();
  for (const record of expected) {
    const key = record.toString('latin1');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const extra: string[] = [];
  for (const record of actual) {
    const key = record.toString('latin1');
    const count = counts.get(key) ?? 0;
    if (count === 0) extra.push(show(record));
    else counts.set(key, count - 1);
  }
  const missing = [...counts].flatMap(([key, n]) => Array<string>(n).fill(JSON.stringify(key)));
  return [
    ...(missing.length > 0
      ? [`${missing.length} missing, e.g. ${missing.slice(0, 3).join(' ')}`]
      : []),
    ...(extra.length > 0
      ? [`${extra.length} extra or broken, e.g. ${extra.slice(0, 3).join(' ')}`]
      : []),
  ];
}

function sequenceDiff(actual: Buffer[], expected: Buffer[]): string[] {
  const at = expected.findIndex(
    (record, i) => actual[i] === undefined || !record.equals(actual[i]!),
  );
  if (at < 0 && actual.length === expected.length) return [];
  const first = at < 0 ? expected.length : at;
  return [
    `out of order or different from record ${first + 1}: got ${actual[first] ? show(actual[first]!) : 'nothing'}, want ${expected[first] ? show(expected[first]!) : 'nothing'} (${actual.length} records out, ${expected.length} in)`,
  ];
}

const sortBytes = (records: Buffer[]) => [...records].sort(Buffer.compare);

/** Problems with a successful run's output. */
function outputProblems(c: FanCase, out: Buffer[]): string[] {
  const expected = expectedOf(c);
  if (c.dispatch === 'broadcast') {
    const all = Array.from({ length: c.workers }, () => expected).flat();
    if (c.merge === 'sorted') return sequenceDiff(out, sortBytes(all));
    return recordsDiff(out, all);
  }
  if (c.merge === 'ordered') return sequenceDiff(out, expected);
  if (c.merge === 'sorted') return sequenceDiff(out, sortBytes(expected));
  return recordsDiff(out, expected);
}

/** Problems with a failed run's output: whole records only; a clean prefix when ordered. */
function partialProblems(c: FanCase, out: Buffer[]): string[] {
  const expected = expectedOf(c);
  const all =
    c.dispatch === 'broadcast'
      ? Array.from({ length: c.workers }, () => expected).flat()
      : expected;
  const extra = recordsDiff(out, all).filter((line) => !line.includes('missing'));
  if (extra.length > 0) return extra.map((line) => `output of a failed run: ${line}`);
  if (c.merge !== 'ordered') return [];
  const crashAt = expected.findIndex((record) => record.includes(CRASH));
  const prefix = out.every((record, i) => expected[i]?.equals(record));
  const beforeCrash = crashAt < 0 || out.length <= crashAt;
  return prefix && beforeCrash
    ? []
    : [
        `--merge ordered output of a failed run is not a clean prefix of the input (${out.length} records, the crash at record ${crashAt + 1})`,
      ];
}

const oneLine = /^manifold: [^\n]+\n$/;

/** Everything wrong with `result` as the outcome of `c`. */
export function problemsOf(c: FanCase, result: Finished): string[] {
  if (result.hung) return ['hung: still running when the time allowed was over (killed)'];
  const problems: string[] = [];
  if (hasStackTrace(result.stderr)) problems.push(`a stack trace on stderr: ${result.stderr}`);
  const out = decode(framingOf(c.framing), result.stdout);
  const crashes = hasCrashPoint(c);
  const fails = c.failAtEnd || (crashes && c.retries === 0);
  if (!fails) {
    if (result.exitCode !== 0) {
      problems.push(`exit ${result.exitCode ?? result.signal}, want 0: ${result.stderr.trim()}`);
    } else if (!crashes && result.stderr !== '') {
      problems.push(`stderr not empty: ${result.stderr.trim()}`);
    }
    problems.push(...outputProblems(c, out));
    return problems;
  }
  if (result.exitCode !== 1) {
    problems.push(`exit ${result.exitCode ?? result.signal}, want 1: ${result.stderr.trim()}`);
  }
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  if (c.halt === 'now' && !oneLine.test(result.stderr)) {
    problems.push(`stderr is not one line: ${JSON.stringify(result.stderr.slice(0, 400))}`);
  }
  if (lines.some((line) => !line.startsWith('manifold: '))) {
    problems.push(
      `stderr has lines not from manifold: ${JSON.stringify(result.stderr.slice(0, 400))}`,
    );
  }
  if (c.failAtEnd) return problems;
  problems.push(...partialProblems(c, out));
  return problems;
}

/** Whether the output is the input byte for byte. */
export function bytesProblems(c: FanCase, result: Finished): string[] {
  if (result.hung) return ['hung: still running when the time allowed was over (killed)'];
  const input = inputOf(c);
  if (result.exitCode !== 0)
    return [`exit ${result.exitCode ?? result.signal}: ${result.stderr.trim()}`];
  if (result.stdout.equals(input)) return [];
  const at = [...input].findIndex((byte, i) => result.stdout[i] !== byte);
  return [
    `output differs from the input at byte ${at < 0 ? input.length : at}: ${result.stdout.length} bytes out, ${input.length} in; ends ${JSON.stringify(result.stdout.subarray(-8).toString('latin1'))}, want ${JSON.stringify(input.subarray(-8).toString('latin1'))}`,
  ];
}
