import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fan, run } from '../../orchestrator/index.js';
import { fileWith, tempDir } from '../support/temp.js';

// The caller's descriptor is the caller's, whether given as a number or as `/dev/fd/N`: written
// where it stands and left open, and refused alike when it cannot be written (not open, open
// for reading only), as a caller's mistake: manifold.usage, exit 2, as a bad path is: a number
// N > 2 is not closed at the end (the caller's next write would fail, EBADF), and a bad
// /dev/fd/N, a read-only number or run's output in a folder that does not exist is refused so,
// not manifold.io, 'cannot write stdout' (fan) or a stage's failure (run).

const calls = {
  fan: (output: unknown) =>
    fan(
      { command: ['cat'], workers: 2 },
      { input: fileWith('manifold-api-out-', 'a\nb\n'), output: output as number },
    ),
  run: (output: unknown) =>
    run(
      { stages: [{ run: 'cat' }] },
      { input: fileWith('manifold-api-out-', 'a\nb\n'), output: output as number },
    ),
};

/** Whatever the call threw, as code, exit code and message. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    const { code, exitCode, message } = error as {
      code: string;
      exitCode: number;
      message: string;
    };
    return { code, exitCode, message };
  }
  return null;
}

/** A descriptor number no one holds (closed at once), or, with `flags`, one open on a file. */
function descriptor(flags: 'w' | 'r'): { fd: number; file: string } {
  const file = join(tempDir(), 'out');
  closeSync(openSync(file, 'w'));
  return { fd: openSync(file, flags), file };
}

describe.each(Object.keys(calls) as (keyof typeof calls)[])('%s: an output descriptor', (api) => {
  it('given as a number is written after what the caller wrote, and left open', async () => {
    const { fd, file } = descriptor('w');
    try {
      writeSync(fd, 'before\n');
      await calls[api](fd);
      writeSync(fd, 'after\n');
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('before\na\nb\nafter\n');
  });

  it.each([
    ['a number', (fd: number) => fd, (fd: number) => `output descriptor ${fd}`],
    [
      '/dev/fd/N',
      (fd: number) => `/dev/fd/${fd}`,
      (fd: number) => `output "/dev/fd/${fd}": descriptor ${fd}`,
    ],
  ])('given as %s, open for reading only, is refused as a usage error', async (_, as, named) => {
    const { fd } = descriptor('r');
    try {
      expect(await refusal(calls[api](as(fd)))).toEqual({
        code: 'manifold.usage',
        exitCode: 2,
        message: `${named(fd)} is open for reading only`,
      });
      // Still the caller's: open.
      expect(() => readFileSync(`/proc/self/fd/${fd}`)).not.toThrow();
    } finally {
      closeSync(fd);
    }
  });

  it.each([
    ['a number', 999, 'output descriptor 999 is not open'],
    ['/dev/fd/N', '/dev/fd/999', 'output "/dev/fd/999": descriptor 999 is not open'],
  ])('given as %s, not open, is refused as a usage error', async (_, output, message) => {
    expect(await refusal(calls[api](output))).toEqual({
      code: 'manifold.usage',
      exitCode: 2,
      message,
    });
  });

  it('a path in a folder that does not exist is a usage error too', async () => {
    const output = join(tempDir(), 'no-dir', 'out');
    expect(await refusal(calls[api](output))).toEqual({
      code: 'manifold.usage',
      exitCode: 2,
      message:
        api === 'fan'
          ? `output ${output}: no such directory`
          : `the folder of output "${output}" does not exist`,
    });
  });
});

/** A descriptor Node holds for itself in this process: its event loop's, an anonymous inode or a pipe with both ends here. */
function nodeOwn(kind: 'pipe' | 'anon'): number {
  const links = readdirSync('/proc/self/fd').map((name) => {
    let link = '';
    try {
      link = readlinkSync(`/proc/self/fd/${name}`);
    } catch {}
    return { fd: Number(name), link };
  });
  const found = links.find(({ fd, link }) =>
    kind === 'anon'
      ? fd > 2 && link.startsWith('anon_inode:')
      : fd > 2 && link.startsWith('pipe:') && links.filter((l) => l.link === link).length === 2,
  );
  if (found === undefined) throw new Error(`no ${kind} of Node's own in /proc/self/fd`);
  return found.fd;
}

// One of Node's own descriptors given by number (a program written for `5>log`, started without
// it): writing one killed the caller by SIGSEGV, reading one never settled (QA). Refused as the
// command line refuses it.
describe.each(Object.keys(calls) as (keyof typeof calls)[])(
  '%s: a descriptor of Node’s own',
  (api) => {
    it.each(['pipe', 'anon'] as const)(
      'as output (%s): manifold.usage, nothing written',
      async (kind) => {
        const fd = nodeOwn(kind);
        expect(await refusal(calls[api](fd))).toEqual({
          code: 'manifold.usage',
          exitCode: 2,
          message: expect.stringMatching(
            new RegExp(
              `descriptor ${fd} is Node's own \\(an? [\\w-]+\\), not one manifold was given`,
            ),
          ),
        });
      },
    );
  },
);

describe('fan: an input descriptor of Node’s own', () => {
  it('manifold.usage, not read for ever', async () => {
    const fd = nodeOwn('pipe');
    const call = fan({ command: ['cat'] }, { input: fd, output: '/dev/null' } as never);
    expect(await refusal(call)).toEqual({
      code: 'manifold.usage',
      exitCode: 2,
      message: expect.stringMatching(new RegExp(`descriptor ${fd} is Node's own \\(a pipe\\)`)),
    });
  });
});
