import type { FanOptions } from '../fan/options.js';
import type { QueueTarget } from '../options/queue.js';
import type { CommandSpec } from '../workers/command.js';
import type { RemoteSettings } from '../workers/ssh/hosts.js';

/** A stage's name for messages: its `name`, or where it stands (`stages[2]`). */
export interface Named {
  name: string;
  /** The config position, for messages at run time. */
  line: number;
}

export interface CommandStage extends Named {
  kind: 'command';
  command: CommandSpec;
  /** The exit statuses that are no failure (`ok-status`, with `run:`), 0 among them. */
  okStatus?: readonly number[];
}

export interface FanStage extends Named {
  kind: 'fan';
  /** The fan's options; `inputs`, `stats` and `progress` are set by the runner. */
  options: FanOptions;
  /** What was decided for it (per-block workers chosen on its own), for --verbose. */
  notes: string[];
  /** The hosts its workers run on (`hosts:`), connected when the pipeline runs. */
  remote?: RemoteSettings;
  /** The queue its blocks go to (`queue:`), its job opened when the pipeline runs. */
  queue?: QueueTarget;
}

export interface BranchStage extends Named {
  kind: 'branches';
  branches: { name: string; stages: Stage[] }[];
  combine: 'concat' | 'merge' | 'join';
  /** For combine: join, the command with each `{branch}` replaced by `/dev/fd/N` at run time. */
  join: CommandSpec | null;
  /** The join's exit statuses that are no failure (`ok-status`), 0 among them. */
  okStatus?: readonly number[];
  /** The framing of branch outputs, for combine: merge. */
  split: string;
}

export type Stage = CommandStage | FanStage | BranchStage;

/** A config checked and resolved: what `manifold run` runs and `manifold graph` draws. */
export interface Pipeline {
  file: string;
  /** The folder relative paths are resolved against; every process runs there. */
  folder: string;
  /** Input files in order, globs expanded; null for stdin. */
  inputs: string[] | null;
  /** The output file; null for stdout. */
  output: string | null;
  env: Record<string, string>;
  stages: Stage[];
}

/** The decisions taken for the fans of a pipeline, branches included. */
export function fanNotes(stages: Stage[]): string[] {
  return stages.flatMap((stage) =>
    stage.kind === 'fan'
      ? stage.notes
      : stage.kind === 'branches'
        ? stage.branches.flatMap((branch) => fanNotes(branch.stages))
        : [],
  );
}
