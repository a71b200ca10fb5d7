import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { manifold } from '../helpers.js';

// `nohup manifold ... &`, or a shell that ignores SIGHUP, then the terminal hangs up: the run
// goes on, as parallel's and sort's do. Node resets an ignored SIGHUP as it starts, and
// manifold's handler stopped the run, exit 129, its output lost.

/** Starts `line` (argv), writes `a`, waits for it to come out, sends SIGHUP, writes `b`, ends. */
async function hangUpMidRun(argv: string[]): Promise<{ code: number | null; out: string }> {
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  const first = new Promise<void>((resolve) => {
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      if (out.includes('a\n')) resolve();
    });
  });
  child.stdin!.write('a\n');
  await first;
  child.kill('SIGHUP');
  child.stdin!.end('b\n');
  const [code] = await once(child, 'exit');
  return { code, out };
}

const fan = [manifold, 'fan', '-N', '1', '--', 'cat'];

describe('SIGHUP ignored where manifold starts', () => {
  it('under nohup: the run goes on, its output whole', async () => {
    expect(await hangUpMidRun(['nohup', ...fan])).toEqual({ code: 0, out: 'a\nb\n' });
  });

  it("under trap '' HUP, its workers not told of it", async () => {
    const line = `trap '' HUP; exec "$@"`;
    expect(await hangUpMidRun(['sh', '-c', line, 'sh', ...fan])).toEqual({
      code: 0,
      out: 'a\nb\n',
    });
    const env = await hangUpMidRun([
      'sh',
      '-c',
      line,
      'sh',
      manifold,
      'fan',
      '-N',
      '1',
      '--shell',
      '--',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's, not JavaScript's.
      'cat; echo "${MANIFOLD_SIGHUP-unset}"',
    ]);
    expect(env.out).toContain('unset');
  });

  it('not ignored, it stops the run as ever: 129', async () => {
    expect((await hangUpMidRun(fan)).code).toBe(129);
  });
});
