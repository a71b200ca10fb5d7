import { parseFraming } from '../../filters/index.js';
import type { BranchStage, Pipeline, Stage } from '../config/model.js';
import { findPlaceholders, replacePlaceholders } from '../config/placeholders.js';
import type { FanOptions } from '../fan/options.js';
import { type CommandSpec, commandText } from '../workers/command.js';
import { CombineNode } from './combine.js';
import { FanNode } from './fan-node.js';
import type { RunningNode } from './node.js';
import { closeAll, openPipes } from './pipes.js';
import { ProcessNode } from './process.js';
import { TeeNode } from './tee.js';
import { ReaderWitness } from './witness.js';

/** Everything started for a pipeline: its nodes, in order, with who reads whom. */
export interface Wiring {
  nodes: RunningNode[];
  /** Where the stages' stderr goes (a descriptor), and the fans' words: the library's. */
  stderr?: number;
  fans?: Pick<FanOptions, 'reporter' | 'workerStderr'>;
  /** The pipe each command writes to, watched for its reader's going (witness.ts). */
  witnesses?: Map<RunningNode, ReaderWitness>;
  /**
   * The nodes writing to each node, for stopping what feeds a failed stage (feeders.ts), and
   * the nodes each node writes to: the edges of --stats (sampler.ts). Each list is in the order
   * of the node's inputs or outputs (a combiner's branches, a tee's).
   */
  feeds?: Map<RunningNode, RunningNode[]>;
  readers?: Map<RunningNode, RunningNode[]>;
  /** The config's output file, as the last stage's descriptor: named in a fan's messages. */
  output?: { fd: number; name: string };
  /** The joins' commands: once one has ended, what feeds it is let go (run.ts). */
  joins?: Set<RunningNode>;
}

/**
 * Starts `stages` between two descriptors: each stage reads the previous one's output through a
 * kernel pipe. External commands get the pipes themselves, so between two of them no byte
 * passes through manifold; a fan, a tee or a combiner runs inside manifold on its pipes.
 * Returns the first and last nodes. `inputName`:
 * `input`'s name in a first fan's messages (the one input file's path), or the input files a
 * first fan reads itself (`input` is then -1).
 */
export function wireStages(
  pipeline: Pipeline,
  stages: Stage[],
  input: number,
  output: number,
  wiring: Wiring,
  log: (line: string) => void,
  inputName?: string | string[],
): { first: RunningNode; last: RunningNode } {
  const pipes = openPipes(stages.length - 1);
  let first: RunningNode | null = null;
  let previous: RunningNode | null = null;
  let witness: ReaderWitness | null = null;
  stages.forEach((stage, i) => {
    const from = i === 0 ? input : pipes[i - 1]!.read;
    const to = i === stages.length - 1 ? output : pipes[i]!.write;
    let started: { head: RunningNode; tail: RunningNode };
    try {
      const named = i === 0 ? inputName : undefined;
      started = startStage(pipeline, stage, from, to, wiring, log, named);
    } catch (error) {
      // Refused (a fan beyond `ulimit -n`): what it and the stages after it were to take is
      // closed, or a reader of the run's output (the library's copy) waits for ever.
      const own = stage.kind === 'branches' ? [] : [from, to];
      const later = pipes.slice(i).flatMap((pipe) => [pipe.read, pipe.write]);
      closeOwn([...new Set([...own, ...later, output])]);
      // The read end held for this stage, which never started: released, not left open.
      witness?.release();
      throw error;
    }
    const { head, tail } = started;
    if (previous !== null) {
      witness?.watch(previous, head);
      addFeed(wiring, head, previous);
    }
    // Its reader has not started yet: the read end is still ours to open again.
    witness = i < stages.length - 1 ? witnessOf(tail, pipes[i]!.read, wiring) : null;
    first ??= head;
    previous = tail;
  });
  return { first: first!, last: previous! };
}

function startStage(
  pipeline: Pipeline,
  stage: Stage,
  input: number,
  output: number,
  wiring: Wiring,
  log: (line: string) => void,
  inputName?: string | string[],
): { head: RunningNode; tail: RunningNode } {
  switch (stage.kind) {
    case 'command': {
      const node = new ProcessNode(
        stage.name,
        withEnv(stage.command, pipeline),
        pipeline.folder,
        [input, output],
        undefined,
        wiring.stderr,
        stage.okStatus,
      );
      closeOwn([input, output]);
      wiring.nodes.push(node);
      return { head: node, tail: node };
    }
    case 'fan': {
      const options = {
        ...stage.options,
        command: withEnv(stage.options.command, pipeline),
        ...(Array.isArray(inputName)
          ? { inputs: inputName }
          : {
              inputs: null,
              inputFd: input,
              ...(inputName === undefined ? {} : { inputFdName: inputName }),
            }),
        outputFd: output,
        ...(output === wiring.output?.fd && { outputFdName: wiring.output.name }),
        stats: null,
        countOutput: true,
        progress: false,
        ...wiring.fans,
      };
      const node = new FanNode(stage.name, options, log);
      wiring.nodes.push(node);
      return { head: node, tail: node };
    }
    case 'branches':
      return startBranches(pipeline, stage, input, output, wiring, log);
  }
}

function startBranches(
  pipeline: Pipeline,
  stage: BranchStage,
  input: number,
  output: number,
  wiring: Wiring,
  log: (line: string) => void,
): { head: RunningNode; tail: RunningNode } {
  const ins = openPipes(stage.branches.length);
  const outs = openPipes(stage.branches.length);
  const tee = new TeeNode(
    stage.name,
    input,
    ins.map((pipe) => pipe.write),
  );
  wiring.nodes.push(tee);
  const lasts = stage.branches.map((branch, i) => {
    let wired: { first: RunningNode; last: RunningNode };
    try {
      wired = wireStages(pipeline, branch.stages, ins[i]!.read, outs[i]!.write, wiring, log);
    } catch (error) {
      // Refused: this branch gave back its own; the combiner never starts, nor the branches
      // after it, so what they were to take is closed too (left open, they would stay held by a
      // library caller, which runs on). The tee has the write ends of `ins`.
      closeOwn([
        ...outs.slice(0, i + 1).map((pipe) => pipe.read),
        ...ins.slice(i + 1).map((pipe) => pipe.read),
        ...outs.slice(i + 1).flatMap((pipe) => [pipe.read, pipe.write]),
      ]);
      throw error;
    }
    addFeed(wiring, wired.first, tee);
    return wired.last;
  });
  const witnesses = lasts.map((last, i) => witnessOf(last, outs[i]!.read, wiring));
  let combiner: RunningNode;
  if (stage.combine === 'join') {
    const fds = outs.map((pipe) => pipe.read);
    const command = substitutePlaceholders(
      stage.join!,
      stage.branches.map((b) => b.name),
    );
    combiner = new ProcessNode(
      `${stage.name}.join`,
      withEnv(command, pipeline),
      pipeline.folder,
      ['ignore', output, 'ignore', ...fds],
      commandText(stage.join!),
      wiring.stderr,
      stage.okStatus,
    );
    closeOwn([output, ...fds]);
    wiring.joins ??= new Set();
    wiring.joins.add(combiner);
  } else {
    combiner = new CombineNode(
      `${stage.name}.${stage.combine}`,
      stage.combine,
      outs.map((pipe) => pipe.read),
      output,
      parseFraming(stage.split),
    );
  }
  lasts.forEach((last, i) => {
    witnesses[i]?.watch(last, combiner);
    addFeed(wiring, combiner, last);
  });
  wiring.nodes.push(combiner);
  return { head: tee, tail: combiner };
}

/**
 * The join command, run by bash with each `{name}` replaced by a process substitution that
 * copies that branch's output from descriptor N. Opening /dev/fd/N of a FIFO waits for a writer,
 * forever once the branch has finished; bash's substitutions are anonymous pipes, which do not,
 * so `comm -23 {a} {b}` behaves as `comm -23 <(a) <(b)` does in bash, however fast the branches.
 * A string is a shell command, its placeholders found as bash reads it (placeholders.ts); an
 * array never meets the shell: each of its words stays one word, every character but the
 * substitutions quoted.
 */
function substitutePlaceholders(command: CommandSpec, names: string[]): CommandSpec {
  // Each copies its own descriptor and holds no other: {b}'s holding {a}'s pipe open kept a's
  // branch writing to a pipe nobody would read, once the join had gone.
  const none = names.map((_, i) => `${3 + i}<&-`).join(' ');
  const substitution = (name: string) => {
    const index = names.indexOf(name);
    return index < 0 ? null : `<(exec cat <&${3 + index} ${none})`;
  };
  const script = command.shell
    ? replacePlaceholders(command.argv.join(' '), true, substitution)
    : command.argv.map((word) => quoteWord(word, substitution)).join(' ');
  // An array is one program: exec it. A shell string may be several commands: run it as it is.
  return {
    ...command,
    argv: ['bash', '-c', command.shell ? script : `exec ${script}`],
    shell: false,
  };
}

/** One word for bash: its text single-quoted, its placeholders substitutions outside quotes. */
function quoteWord(word: string, substitution: (name: string) => string | null): string {
  const parts: string[] = [];
  let from = 0;
  for (const { name, index, length } of findPlaceholders(word, false)) {
    const replacement = substitution(name);
    if (replacement === null) continue;
    if (index > from) parts.push(quoteAll(word.slice(from, index)));
    parts.push(replacement);
    from = index + length;
  }
  if (from < word.length || parts.length === 0) parts.push(quoteAll(word.slice(from)));
  return parts.join('');
}

function quoteAll(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Notes that `writer` writes to `reader`: called in the order of their inputs and outputs. */
export function addFeed(wiring: Wiring, reader: RunningNode, writer: RunningNode): void {
  wiring.feeds ??= new Map();
  wiring.feeds.set(reader, [...(wiring.feeds.get(reader) ?? []), writer]);
  wiring.readers ??= new Map();
  wiring.readers.set(writer, [...(wiring.readers.get(writer) ?? []), reader]);
}

/** A witness of the pipe `writer` writes to, where it is a command: a fan's EPIPE is its own. */
function witnessOf(writer: RunningNode, read: number, wiring: Wiring): ReaderWitness | null {
  if (!(writer instanceof ProcessNode)) return null;
  const witness = new ReaderWitness(read);
  wiring.witnesses ??= new Map();
  wiring.witnesses.set(writer, witness);
  return witness;
}

function withEnv(command: CommandSpec, pipeline: Pipeline): CommandSpec {
  return { ...command, env: { ...pipeline.env, ...command.env } };
}

/** The child has its copies now; ours would keep the pipe open and hide its end. */
function closeOwn(fds: number[]): void {
  closeAll(fds.filter((fd) => fd > 2));
}
