import { describe, expect, it } from 'vitest';
import { fixture, run } from '../helpers.js';
import { numbered } from '../support/lines.js';

// main() exits with the filter's status; a status the filter set itself with process.exitCode
// stands when the filter did not fail otherwise (main's exit(0) overrode it: exit 0).

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
