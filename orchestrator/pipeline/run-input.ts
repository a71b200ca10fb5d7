import { closeSync, openSync, statSync } from 'node:fs';
import type { Pipeline } from '../config/model.js';
import { isRegularFile } from '../fan/input.js';
import { descriptorNamed } from '../options/descriptors.js';
import { checkGiven } from './given-descriptor.js';
import { openPipes } from './pipes.js';
import { ProcessNode } from './process.js';
import type { PipelineIO } from './run.js';
import type { Wiring } from './wire.js';

/**
 * What a run's first stage reads (`fd`): stdin as it is; one regular file opened directly;
 * anything else fed in order by `cat` (`feeder`, one node more of the wiring). A named pipe's
 * open waits for a writer, perhaps forever: `cat` waits in its own process, which a signal
 * stops, never on manifold's main thread. `name`: the one file's path, for a first fan's messages.
 */
export function openRunInput(
  pipeline: Pipeline,
  io: PipelineIO,
  wiring: Wiring,
): { fd: number; feeder: ProcessNode | null; name?: string; files?: string[] } {
  const inputs = pipeline.inputs;
  if (io.inputFd !== undefined) return { fd: io.inputFd, feeder: null };
  const feed = (args: string[], stdio: (number | undefined)[]) =>
    startFeeder(pipeline, wiring, args, stdio);
  // Given it, `cat` reads it where it stands, and it stays the caller's, whatever the first
  // stage: a stage given it would close it at the end, under a caller that may use it after.
  if (io.callerInputFd !== undefined) return feed([], [io.callerInputFd]);
  if (inputs === null) return { fd: 0, feeder: null };
  // `/dev/fd/3`, given by the shell (`3< <(cmd)`), is read by cat as in a shell: given to it.
  const given: number[] = [];
  for (const path of inputs) {
    const fd = descriptorNamed(path);
    if (fd === null || fd <= 2) continue;
    checkGiven(fd, path, 'read');
    given[fd] = fd;
  }
  if (inputs.length === 1 && statSync(inputs[0]!).isFile()) {
    return { fd: openSync(inputs[0]!, 'r'), feeder: null, name: inputs[0]! };
  }
  // Several files to a first fan: its own, read as `manifold fan --input a --input b` reads them
  // (as ranges, their sizes known: `block: -1`), not through `cat`'s pipe.
  if (pipeline.stages[0]?.kind === 'fan' && given.length === 0 && inputs.every(isRegularFile)) {
    return { fd: -1, feeder: null, files: inputs };
  }
  // manifold's stdin, for an input named /dev/stdin, as cat reads it in a shell; it reads
  // none otherwise (before, 'ignore' made /dev/stdin /dev/null: nothing read, exit 0).
  return feed(
    ['--', ...inputs],
    Array.from({ length: Math.max(given.length, 1) }, (_, i) => (i === 0 ? 0 : given[i])),
  );
}

/**
 * Starts `cat` with `args` and the descriptors `stdio` (its stdout, index 1, a new pipe, and
 * any left out 'ignore'); `fd` is the pipe's read end, for the first stage.
 */
function startFeeder(
  pipeline: Pipeline,
  wiring: Wiring,
  args: string[],
  stdio: (number | undefined)[],
): { fd: number; feeder: ProcessNode } {
  const [pipe] = openPipes(1);
  const feeder = new ProcessNode(
    'input',
    { argv: ['cat', ...args], shell: false },
    pipeline.folder,
    Array.from({ length: Math.max(stdio.length, 2) }, (_, i) =>
      i === 1 ? pipe!.write : (stdio[i] ?? 'ignore'),
    ),
    undefined,
    wiring.stderr,
  );
  closeSync(pipe!.write);
  wiring.nodes.push(feeder);
  return { fd: pipe!.read, feeder };
}
