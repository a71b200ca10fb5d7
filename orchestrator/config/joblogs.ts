import { type ReportFile, reportOverProblem, sameReportFile } from '../options/same-file.js';
import { configInputName } from './io.js';
import type { Stage } from './model.js';
import type { Path } from './raw.js';

// A fan's `joblog:` written over the config's input, its output or another fan's job log lost
// what it replaced, exit 0: each is a problem at the joblog's place, checked as `manifold fan`
// checks its --joblog (options/same-file.ts).

/** A joblog given, where, and the stage whose it is. */
interface Given extends ReportFile {
  at: Path;
  stage: string;
}

/** The files the run reads and writes: null for stdin, stdout. */
interface RunFiles {
  inputs: string[] | null;
  output: string | null;
}

/**
 * The job logs of a config's fans, each checked as it is given: against the run's input and
 * output (`checkAgainst`), and against those of the fans that run with it (`group`: a pipeline
 * no stage uses is checked as if it ran alone).
 */
export class Joblogs {
  readonly #problem: (at: Path, message: string) => void;
  #files: RunFiles | null = null;
  #group: Given[] = [];

  constructor(problem: (at: Path, message: string) => void) {
    this.#problem = problem;
  }

  /** The run's input and output, as this process's stdin and stdout are (not the library's). */
  checkAgainst(files: RunFiles): void {
    this.#files = files;
  }

  /** A fan's `joblog:` (`raw`, as given), at `path` once resolved, at `at`, of `stage`. */
  add(path: string, raw: string, at: Path, stage: string): void {
    const given = { path, said: `joblog ${JSON.stringify(raw)}`, at, stage };
    const { inputs, output } = this.#files ?? {};
    const problem =
      inputs === undefined ? null : reportOverProblem(given, inputs, output, configInputName);
    if (problem !== null) {
      this.#problem(at, problem);
      return;
    }
    const other = this.#group.find((earlier) => sameReportFile(earlier.path, path));
    this.#group.push(given);
    if (other === undefined) return;
    // A pipeline used twice runs its fan twice: one place, two fans.
    const whose =
      JSON.stringify(other.at) === JSON.stringify(at)
        ? 'written at each use of its pipeline'
        : `the joblog of stage ${other.stage} too`;
    this.#problem(at, `${given.said} is ${whose}: one fan's rows would replace the other's`);
  }

  /** The fans after this run on their own (a pipeline no stage uses). */
  group(): void {
    this.#group = [];
  }
}

/** The job logs a pipeline's fans write, branches included, as `--stats` names each. */
export function joblogsOf(stages: Stage[]): { path: string; said: string }[] {
  return stages.flatMap((stage) =>
    stage.kind === 'fan'
      ? stage.options.joblog
        ? [{ path: stage.options.joblog, said: `the joblog of stage ${stage.name}` }]
        : []
      : stage.kind === 'branches'
        ? stage.branches.flatMap((branch) => joblogsOf(branch.stages))
        : [],
  );
}
