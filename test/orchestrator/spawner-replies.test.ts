import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  type SpawnEvents,
  StarterReplies,
} from '../../dist/orchestrator/workers/process/spawner-replies.js';
import { SPAWNER_SCRIPT } from '../../dist/orchestrator/workers/process/spawner-script.js';
import { leftovers, tracked } from '../support/proc.js';
import { within } from '../support/spawn.js';

// A process starter's replies, from a real process standing in for it (sh). A starter killed
// between starting a command and manifold's taking its pipes (in /proc/<starter>/fd) left
// manifold unable to open them: the command was told as failing to start, ENOENT, which reads
// "exited with status 127 (command not found)" (seen under load: fan-spawner's case killing
// the python3 starter, 1 or 2 of 15). It is told as the starter's end, as a command the starter
// never told of is.

describe('the replies of a process starter', () => {
  it('one killed after starting a command, before its pipes were taken: the command is lost with the starter, not "not found"', async () => {
    // The stand-in starts a command (sleep, a group of its own), exits, and once it is gone
    // (reaped: kill -0 fails) its background shell tells the command's start and pipes.
    const script = [
      'p=$$',
      'setsid sleep 1000 & w=$!',
      // Its group made before its start is told, as a starter makes it (setpgid before exec):
      // told first, its group could be killed before it was one (seen once in CI).
      'while [ "$(ps -o pgid= -p $w | tr -d " ")" != "$w" ]; do :; done',
      '(while kill -0 $p 2>/dev/null; do :; done; echo "P 1 $w 0 1 -")&',
      'echo $w >&2',
      'exit 0',
    ].join('\n');
    const { child, command, told } = standIn(script, false);
    const procs = tracked([await command]);
    expect(await within(told, 10_000, 'nothing told of the command')).toBe(
      `ended null null: the process starter (sh, pid ${child.pid}) exited with status 0`,
    );
    expect(await leftovers(procs, 5_000)).toEqual([]);
  });

  it("one killed before it told a command's start: the command is lost with the starter (a killed worker, not one that cannot start), and nothing it started is left", async () => {
    // The stand-in is a session of its own, as a starter is (detached). It starts a command in a
    // group of its own (python3 setpgid, as the starters do), its own pipes (none of the
    // starter's), tells nothing, and kills itself.
    const script = [
      "/usr/bin/python3 -c \"import os; os.setpgid(0, 0); os.execvp('sleep', ['sleep', '1000'])\" </dev/null >/dev/null 2>&1 & w=$!",
      'while [ "$(ps -o pgid= -p $w | tr -d " ")" != "$w" ]; do :; done',
      'echo $w >&2',
      'read go',
      'kill -KILL $$',
    ].join('\n');
    const { child, command, told } = standIn(script, true);
    const procs = tracked([await command]);
    child.stdin.write('go\n');
    expect(await within(told, 10_000, 'nothing told of the command')).toBe(
      `ended null null: the process starter (sh, pid ${child.pid}) was killed by SIGKILL`,
    );
    expect(await leftovers(procs, 5_000)).toEqual([]);
  });

  it("the Perl starter killed between its fork and telling the command's pid: the command is lost with it, and nothing it forked is left", async () => {
    // The Perl starter itself (MANIFOLD_STARTER=perl), made to say its child's pid on stderr
    // and kill itself right after its fork, before its `P` reply: manifold never learns the
    // pid, and finds the command by the starter's session.
    const forked = 'setpgrp($pid, $pid);';
    expect(SPAWNER_SCRIPT).toContain(forked);
    // A function, so that perl's `$$` is not read as replace's pattern for `$`.
    const script = SPAWNER_SCRIPT.replace(
      forked,
      () => `${forked} syswrite(STDERR, "$pid\\n"); kill 'KILL', $$;`,
    );
    const { child, command, told } = standIn(script, true, 'perl');
    // s, request 1, stderr not piped, no cwd, argv [sleep 1000], nothing set or unset.
    child.stdin.write(['s', '1', '0', '', '2', 'sleep', '1000', '0', '0', ''].join('\0'));
    const procs = tracked([await command]);
    expect(await within(told, 10_000, 'nothing told of the command')).toBe(
      `ended null null: the process starter (perl, pid ${child.pid}) was killed by SIGKILL`,
    );
    expect(await leftovers(procs, 5_000)).toEqual([]);
  });
});

/**
 * A stand-in starter (`sh -c script`, or `perl -e`, a session of its own if `detached`) that says on stderr
 * the pid of the command it started, and the one line its replies tell of request 1.
 */
function standIn(script: string, detached: boolean, program: 'sh' | 'perl' = 'sh') {
  const flag = program === 'sh' ? '-c' : '-e';
  const child = spawn(program, [flag, script], { stdio: ['pipe', 'pipe', 'pipe'], detached });
  // Listening from its start: its end is heard however soon it comes.
  const command = new Promise<number>((resolve) =>
    child.stderr.once('data', (data: Buffer) => resolve(Number(data.toString()))),
  );
  const replies = new StarterReplies(child, child.pid!, program);
  const told = new Promise<string>((resolve) => {
    const events: SpawnEvents = {
      opened: () => resolve('opened'),
      output: () => {},
      running: () => resolve('running'),
      failed: (code, message) => resolve(`failed ${code}: ${message}`),
      ended: (code, signal, lost) => resolve(`ended ${code} ${signal}: ${lost}`),
    };
    replies.expectStart(1, events, false);
  });
  return { child, command, told };
}
