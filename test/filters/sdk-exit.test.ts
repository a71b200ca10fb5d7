import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { joinLines, numbered } from '../support/lines.js';

// main() exits with the filter's status; a status the filter set itself with process.exitCode
// stands when the filter did not fail otherwise (main's exit(0) overrode it: exit 0). A filter
// that calls process.exit() itself has the records it finished written first (they were lost).

describe('process.exitCode set by a filter', () => {
  it('is its exit status once every record is written', async () => {
    const result = await run(fixture('exit-code.js'), [], numbered(1, 10), {
      env: { EXIT_AT: '5', EXIT_CODE: '3' },
    });
    expect(result).toMatchObject({ exitCode: 3, stderr: '' });
    expect(result.stdout.toString()).toBe(numbered(1, 10));
  });

  it("gives way to the filter's own failure", async () => {
    const result = await run(fixture('exit-code.js'), ['--max-record', '2'], numbered(1, 200), {
      env: { EXIT_AT: '5', EXIT_CODE: '3' },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^exit-code: stdin:100: record is larger than .*\n$/);
  });
});

describe('process.exit() called by a transform', () => {
  /** `{"n":1}` to `{"n":count}`, one a line. */
  const input = joinLines(Array.from({ length: 9 }, (_, i) => `{"n":${i + 1}}`));
  /** What exit-mid.js writes for records 1 to `last`: every third one changed. */
  const written = (kind: string, last: number) =>
    joinLines(
      Array.from({ length: last }, (_, i) => {
        const n = i + 1;
        if (n % 3 !== 0) return `{"n":${n}}`;
        return kind === 'json' ? `{"changed":${n}}` : `${n} changed`;
      }),
    );

  it.each([
    ['text', 5, 0],
    ['text', 4, 3],
    ['buffer', 6, 0],
    ['buffer', 5, 0],
    ['json', 8, 4],
    ['json', 1, 0],
  ])(
    '%s records, exit at record %i with status %i: the records before it are written',
    async (kind, at, code) => {
      const result = await run(fixture('exit-mid.js'), [], input, {
        env: { RECORDS: kind, EXIT_AT: String(at), EXIT_CODE: String(code) },
      });
      expect(result).toMatchObject({ exitCode: code, stderr: '' });
      expect(result.stdout.toString()).toBe(written(kind, at - 1));
    },
  );
});
