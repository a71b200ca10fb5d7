import { negativeBlock } from '../options/checks.js';
import { checkCombine } from './check-branches.js';
import { type CommandChecking, checkCommand, checkOkStatus } from './check-commands.js';
import { checkFanStage, type FanChecking } from './check-fan.js';
import { pointerOf } from './data-paths.js';
import { checkConfigHosts } from './hosts.js';
import { configFolder, type FileChecks, resolveInputs, resolveOutput } from './io.js';
import { Joblogs } from './joblogs.js';
import { type LoadedConfig, loadConfig } from './load.js';
import type { Pipeline, Stage } from './model.js';
import { describePath } from './path.js';
import { ConfigError, type Problem } from './problems.js';
import { type Env, type Path, type RawConfig, type RawStage, stringsOf } from './raw.js';
import { checkSchema, type SchemaProblem } from './schema-check.js';
import { misplacedKeys } from './stage-keys.js';
import { checkConfigTables } from './tables.js';
import { checkPipelineUses, sited, unknownPipeline, useCounts } from './uses.js';
import { givenVariables } from './variables.js';

const KINDS = ['run', 'filter', 'fan', 'branches', 'use'] as const;

/**
 * The most stages a config may make. Pipelines that use others several times multiply (31
 * lines, each using the one before twice, make 2^30), as aliases do, which load.ts bounds.
 */
const MAX_STAGES = 10_000;

/**
 * Reads and checks a config before anything runs: syntax, schema, and then what a schema cannot
 * say (sizes, framings, keys, commands on PATH, join placeholders, cycles, contradictions).
 * Every problem is reported at once, with its line and column; the result is what runs.
 * `text`, when given, is the config's text, and `file` only names it (and its folder); `files`
 * 'named' leaves out whether the input files and the output's folder exist (for drawing).
 */
export function checkConfig(
  file: string,
  variables: Record<string, string | undefined>,
  text?: string,
  files: FileChecks = 'checked',
): Pipeline {
  const config = loadConfig(file, variables, text);
  const schemaProblems = checkSchema(config);
  try {
    const pipeline = new Checker(config, files, variables, schemaProblems).pipeline();
    if (schemaProblems.length > 0) throw new ConfigError(file, schemaProblems);
    return pipeline;
  } catch (error) {
    // With the schema broken, the checks after it may trip on what they read: every problem
    // they found is reported with the schema's, and a stumble of theirs is not.
    const taken = new Set(schemaProblems.map((p) => `${p.line}:${p.column}`));
    const more = (error instanceof ConfigError ? error.problems : []).filter(
      (p) => !taken.has(`${p.line}:${p.column}`),
    );
    if (schemaProblems.length + more.length === 0) throw error;
    throw new ConfigError(file, [...schemaProblems, ...more]);
  }
}

class Checker {
  readonly #config: LoadedConfig;
  readonly #raw: RawConfig;
  readonly #folder: string;
  readonly #problems: Problem[] = [];
  readonly #given: Record<string, string>;
  #tables: string[] = [];
  readonly #files: FileChecks;
  readonly #commands: CommandChecking;
  /** Each stage name given, with where: a pipeline used twice gives its names twice, rightly. */
  readonly #names = new Map<string, { at: string; line: number }>();
  /** Stages made so far, against MAX_STAGES; past it, no more are. */
  #made = 0;
  #saidTooMany = false;
  /** How many `use:`s name each pipeline: the stages of one used twice are named by the use. */
  #uses: Map<string, number> | null = null;
  /** The pipelines a `use:` has made stages of, so far. */
  readonly #used = new Set<string>();
  readonly #joblogs = new Joblogs((path, message) => this.#problem(path, message));
  /** Where the schema found a bad value: the checks that would read it leave it out. */
  readonly #bad: string[];

  constructor(
    config: LoadedConfig,
    files: FileChecks,
    variables: Record<string, string | undefined>,
    schemaProblems: SchemaProblem[],
  ) {
    this.#config = config;
    this.#bad = schemaProblems.flatMap(({ path }) => (path ? [pointerOf(path)] : []));
    this.#given = givenVariables(variables);
    this.#files = files;
    this.#raw = config.data as RawConfig;
    this.#folder = configFolder(config.file);
    this.#commands = {
      folder: this.#folder,
      problem: (path, message) => this.#problem(path, message),
    };
  }

  pipeline(): Pipeline {
    const report = (path: Path, message: string) => this.#problem(path, message);
    // Tables reach every process as MANIFOLD_TABLE_<NAME>, as `manifold fan --table` passes them.
    const tables = checkConfigTables(
      this.#raw.tables,
      this.#folder,
      (name, message) => report(['tables', name], message),
      (name) => this.#said(['tables', name]),
    );
    this.#tables = tables.values;
    // --set's values reach the processes as they reach ${}: under the config's env and tables.
    const env = { ...this.#given, ...tables.env, ...stringsOf(this.#raw.env) };
    const inputs = resolveInputs(this.#raw.input, this.#folder, report, this.#files);
    const output = resolveOutput(this.#raw.output, this.#folder, report, this.#files);
    // The library's caller gives its own input and output, not this process's stdin and stdout.
    if (this.#files === 'checked') this.#joblogs.checkAgainst({ inputs, output });
    checkPipelineUses(this.#raw, report);
    const stages = this.#stages(this.#raw.stages, ['stages'], env, [], true);
    this.#checkUnused(env);
    // Checked where a fan uses them, and here for fans of hosts of their own, or none.
    checkConfigHosts(this.#raw.hosts, this.#folder, report);
    if (this.#problems.length > 0) throw new ConfigError(this.#config.file, this.#problems);
    return { file: this.#config.file, folder: this.#folder, inputs, output, env, stages };
  }

  #problem(path: Path, message: string, key?: string): void {
    this.#problems.push({ ...this.#config.where(path, key), message });
  }

  /** Whether the schema found a bad value at `path`, within it or around it. */
  #said(path: Path): boolean {
    const at = pointerOf(path);
    return this.#bad.some(
      (bad) => bad === at || bad.startsWith(`${at}/`) || at.startsWith(`${bad}/`),
    );
  }

  #fanChecking(): FanChecking {
    return {
      folder: this.#folder,
      files: this.#files,
      tables: this.#tables,
      hosts: this.#raw.hosts,
      commands: this.#commands,
      joblogs: this.#joblogs,
      problem: (path, message) => this.#problem(path, message),
      count: () => this.#problems.length,
      said: (path) => this.#said(path),
    };
  }

  /** `first`: these stages start the pipeline (the first reads the config's input). */
  #stages(raw: RawStage[], path: Path, env: Env, using: string[], first = false): Stage[] {
    return raw.flatMap((stage, i) =>
      this.#stage(stage, [...path, i], env, using, first && i === 0),
    );
  }

  #stage(raw: RawStage, path: Path, parentEnv: Env, using: string[], first: boolean): Stage[] {
    if (this.#made > MAX_STAGES) return [];
    this.#made++;
    const kinds = KINDS.filter((kind) => raw[kind] !== undefined);
    if (kinds.length !== 1) {
      this.#problem(
        path,
        kinds.length === 0
          ? 'a stage needs one of run, filter, fan, branches or use'
          : `a stage has one of run, filter, fan, branches or use, not ${kinds.join(' and ')}`,
      );
      return [];
    }
    misplacedKeys(raw, kinds[0]!, (message, key) => this.#problem(path, message, key));
    // `use: [up]` names no pipeline: it made the stages of `up` (its text), names taken twice.
    if (raw.use !== undefined && this.#said([...path, 'use'])) return [];
    const env = { ...parentEnv, ...stringsOf(raw.env) };
    const name = raw.name ?? describePath(path);
    const line = this.#config.where(path).line;
    // A use: stands for several stages, each named in its pipeline: one name cannot be theirs.
    if (raw.use !== undefined && raw.name !== undefined)
      this.#problem(
        path,
        `"name" does not go with "use": the stages of pipelines.${raw.use} are named in it`,
        'name',
      );
    else if (raw.name !== undefined) this.#nameOnce(raw.name, path, line);
    if (raw.use !== undefined) {
      const made = this.#use(raw.use, path, env, using, first);
      this.#uses ??= useCounts(this.#raw);
      const stages = (this.#uses.get(raw.use) ?? 0) > 1 ? sited(made, describePath(path)) : made;
      // Said once, at the outermost use: that crossed the bound.
      if (this.#made > MAX_STAGES && using.length === 0 && !this.#saidTooMany) {
        this.#saidTooMany = true;
        this.#problem(
          [...path, 'use'],
          `use: ${raw.use} makes more than ${MAX_STAGES} stages (pipelines that use others several times multiply)`,
        );
      }
      return stages;
    }
    if (raw.run !== undefined || raw.filter !== undefined) {
      const command = checkCommand(this.#commands, raw, path, env);
      const okStatus = raw.run === undefined ? undefined : checkOkStatus(this.#commands, raw, path);
      if (command === null || okStatus === null) return [];
      return [{ kind: 'command', name, line, command, ...(okStatus && { okStatus }) }];
    }
    if (raw.fan !== undefined) {
      // Only the pipeline's first stage reads its input (a file maybe): stages[0], or a use's.
      const count = negativeBlock(raw.fan.block);
      if (!first && count !== undefined) {
        this.#problem(
          [...path, 'fan', 'block'],
          `block: ${count} divides the input's size among the workers, and this stage reads a pipe, whose size is not known before it is read: give the block a size (64M), or make this fan the first stage`,
        );
        return [];
      }
      return checkFanStage(this.#fanChecking(), raw.fan, {
        path: [...path, 'fan'],
        name,
        line,
        env,
      });
    }
    return this.#branches(raw, path, name, line, env, using);
  }

  /** A name tells a stage apart in messages and --stats: two stages cannot share one. */
  #nameOnce(name: string, path: Path, line: number): void {
    const at = JSON.stringify(path);
    const first = this.#names.get(name);
    if (first === undefined) this.#names.set(name, { at, line });
    else if (first.at !== at)
      this.#problem(
        [...path, 'name'],
        `stage name "${name}" is taken: the stage at line ${first.line} has it`,
      );
  }

  #use(target: string, path: Path, env: Env, using: string[], first: boolean): Stage[] {
    const pipelines = this.#raw.pipelines ?? {};
    // Own keys only: `use: constructor` names no pipeline, not Object's constructor. A `use:`
    // inside a pipeline, and every cycle, checkPipelineUses has said, once.
    if (!Object.hasOwn(pipelines, target)) {
      if (path[0] !== 'pipelines')
        this.#problem([...path, 'use'], unknownPipeline(target, pipelines));
      return [];
    }
    if (using.includes(target)) return [];
    this.#used.add(target);
    return this.#stages(pipelines[target]!, ['pipelines', target], env, [...using, target], first);
  }

  /**
   * The pipelines no stage uses are checked as one used first would be, as a compiler checks a
   * function nobody calls (`workers: 0` in one was not said); their stages' names are their own,
   * since, unused, they take none from the stages that run.
   */
  #checkUnused(env: Env): void {
    const pipelines = this.#raw.pipelines ?? {};
    const names = new Map(this.#names);
    for (const name of Object.keys(pipelines)) {
      if (this.#used.has(name) || !Array.isArray(pipelines[name])) continue;
      this.#used.add(name);
      this.#names.clear();
      this.#joblogs.group();
      this.#stages(pipelines[name], ['pipelines', name], env, [name], true);
    }
    this.#names.clear();
    for (const [key, value] of names) this.#names.set(key, value);
  }

  #branches(
    raw: RawStage,
    path: Path,
    name: string,
    line: number,
    env: Env,
    using: string[],
  ): Stage[] {
    const names = Object.keys(raw.branches!);
    const branches = names.map((branch) => ({
      name: branch,
      stages: this.#stages(raw.branches![branch]!, [...path, 'branches', branch], env, using),
    }));
    const combined = checkCombine(this.#commands, raw, path, names, env);
    return [{ kind: 'branches', name, line, branches, ...combined }];
  }
}
