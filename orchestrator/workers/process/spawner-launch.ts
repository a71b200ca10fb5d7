import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, fstatSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findProgram } from '../which.js';
import { SPAWNER_PYTHON } from './spawner-python.js';
import { SPAWNER_SCRIPT } from './spawner-script.js';

/** A starter process just started (`launchStarter`). */
export interface LaunchedStarter {
  child: ChildProcess;
  pid: number;
  /** The environment it was given: requests carry only their differences from it. */
  base: NodeJS.ProcessEnv;
  /** What runs it: python3 or perl. */
  program: string;
  /** It holds manifold's stdout as its fd 3 (the Python starter, when stdout is open). */
  relays: boolean;
}

/** Debian's Python: the Python starter's interpreter. */
const PYTHON = '/usr/bin/python3';

/**
 * The Python starter compiled ahead: build.mjs writes its source beside the bundle's chunks,
 * with the bytecode Python keeps for it (checked against the source by its hash). Loaded from
 * there, a starter does not compile its ~45 KB of source at every start: ~20 ms of a core each
 * (docs/performance.md). Run from manifold's own sources (tsc's output, the tests) there is no
 * such file, and the source is compiled as before.
 */
const COMPILED = fileURLToPath(new URL('../starter/manifold_starter.py', import.meta.url));

/**
 * Runs the compiled starter (argv[1]) through Python's cache of its bytecode, or the source
 * (argv[2]) where that cannot load: a file gone, a cache of another Python, a damaged one. The
 * loader is taken from the frozen module Python has already loaded at its start, not through
 * `importlib.machinery`, whose import reads importlib's package and `warnings` from the disk:
 * ~2 ms of a core at each start (docs/performance.md).
 */
const LOAD_COMPILED = `import sys
try:
    from _frozen_importlib_external import SourceFileLoader as _Loader
    _code = _Loader('manifold_starter', sys.argv[1]).get_code('manifold_starter')
except Exception:
    _code = compile(sys.argv[2], '<string>', 'exec')
del sys.argv[1:]
exec(_code)
`;

/** Python's arguments for the starter: the compiled one where the build wrote it. */
function pythonStarter(): string[] {
  const script = existsSync(COMPILED) ? [LOAD_COMPILED, COMPILED] : [];
  return ['-I', '-S', '-c', ...script, SPAWNER_PYTHON];
}

/**
 * Starts a starter process, or null where none can run (not Linux, neither Python nor perl).
 * Debian's Python (`/usr/bin/python3`, by its path: a Python chosen through PATH may be a
 * version manager's shim, which costs ~0.4 s a start here), whose `posix_spawn` costs half of
 * Perl's fork and exec per command on a virtual machine; else `perl` on PATH.
 * `MANIFOLD_STARTER=perl` skips Python, `MANIFOLD_STARTER=spawn` both (Node's spawn starts every
 * command): docs/fan.md.
 */
export function launchStarter(): LaunchedStarter | null {
  if (noStarter() !== null) return null;
  const choice = process.env.MANIFOLD_STARTER;
  // Python's own settings from the environment must not change the starter (-I), nor Perl's;
  // commands get them back.
  if (choice !== 'perl' && existsSync(PYTHON)) {
    // Manifold's stdout goes to it as its fd 3, the same open file (its offset, its O_APPEND),
    // for the commands whose output it writes there (\`relay\`).
    const python = tryStarter(PYTHON, pythonStarter(), process.env, 'python3', stdoutOpen());
    if (python !== null) return python;
  }
  const base = { ...process.env };
  delete base.PERL5OPT;
  delete base.PERL5LIB;
  delete base.PERLLIB;
  return tryStarter('perl', ['-e', SPAWNER_SCRIPT], base, 'perl', false);
}

/**
 * Why no process starter can run here, Node's spawn starting every command, or null: it is not
 * tried (not Linux, MANIFOLD_STARTER=spawn), or there is nothing to run it (neither Debian's
 * Python nor a perl on PATH). The last is found here, before anything runs, so that a command
 * only a starter can start is refused then, not failed as each worker starts.
 */
export function noStarter(): string | null {
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  const choice = process.env.MANIFOLD_STARTER;
  if (choice === 'spawn') return 'MANIFOLD_STARTER=spawn';
  if (choice !== 'perl' && existsSync(PYTHON)) return null;
  if ('found' in findProgram('perl')) return null;
  return choice === 'perl'
    ? 'MANIFOLD_STARTER=perl, and no perl on PATH'
    : `neither ${PYTHON} nor a perl on PATH is here`;
}

function tryStarter(
  program: string,
  args: string[],
  base: NodeJS.ProcessEnv,
  name: string,
  relays: boolean,
): LaunchedStarter | null {
  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      stdio: relays ? ['pipe', 'pipe', 'inherit', 1] : ['pipe', 'pipe', 'inherit'],
      detached: true,
      env: base,
    });
  } catch {
    return null;
  }
  // Refused (no such program, EMFILE, EAGAIN): no pid, and out of descriptors no streams at
  // all. The next starter is tried; with none, Node's own spawn starts the commands, and says
  // why it cannot as it always does.
  if (child.pid === undefined) {
    child.on('error', () => {});
    for (const stream of child.stdio ?? []) stream?.destroy();
    return null;
  }
  stderrNonBlockingAgain();
  return { child, pid: child.pid, base, program: name, relays };
}

/**
 * Makes manifold's stderr non-blocking again once the starter has inherited it. libuv makes a
 * child's descriptors 0-2 blocking as it starts it, and an inherited descriptor shares its open
 * file, O_NONBLOCK included, with manifold's own: where Node had already opened its stderr (a
 * pipe or a socket, which it writes without blocking), a reader of it that stalls would then
 * block manifold's thread in write(), and SIGTERM could not end it. (The Python starter writes
 * to a pipe through an open file of its own, blocking: spawner-python.ts.) A terminal, which
 * Node writes blocking, and a file are left as they are.
 */
function stderrNonBlockingAgain(): void {
  const stderr = process.stderr as NodeJS.WriteStream & {
    _handle?: { setBlocking?: (blocking: boolean) => number };
  };
  if (stderr.isTTY !== true) stderr._handle?.setBlocking?.(false);
}

/** Whether manifold's stdout is open (fd 1), to be handed to the Python starter. */
function stdoutOpen(): boolean {
  try {
    fstatSync(1);
    return true;
  } catch {
    return false;
  }
}
