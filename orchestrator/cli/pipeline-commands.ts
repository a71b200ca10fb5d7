import { Command, Option } from 'commander';
import { loadPart } from './load.js';
import { CHECK_HELP_AFTER, GRAPH_HELP_AFTER, RUN_HELP_AFTER } from './pipeline-help.js';

type Run = (status: Promise<number>) => void;

// The config machinery (a YAML parser, a JSON Schema validator, globbing) loads only when one
// of these commands runs, so that `manifold fan` starts without it (its packages are a file of
// their own: build.mjs).
const load = () => loadPart(() => import('./pipeline-run.js'));

/** `manifold run`, `check` and `graph`: the config-file face of manifold. */
export function pipelineCommands(run: Run): Command[] {
  // No default list: commander would show it as `(default: [])`; none given is an empty one.
  const set = (value: string, previous: string[] = []) => [...previous, value];
  const setHelp =
    'set a variable for $' +
    "{NAME} in the config and the stages' environment; NAME of letters, digits, _ (repeatable)";
  const runCommand = new Command('run')
    .description('Run a pipeline or graph from a config file (YAML or JSON).')
    .argument('<config>', "the config file; '-' reads it from stdin")
    .option('--set <NAME=VALUE>', setHelp, set)
    .option('--stats <file>', "write a JSON summary per stage and edge at the end; '-' for stderr")
    .option('--progress', 'show a live line per stage on stderr when it is a terminal')
    .option('--verbose', 'say what manifold decides, on stderr')
    .addHelpText('after', RUN_HELP_AFTER)
    .action(
      (
        config: string,
        options: { set?: string[]; stats?: string; progress?: boolean; verbose?: boolean },
      ) => run(load().then((m) => m.runConfig(config, { ...options, set: options.set ?? [] }))),
    );
  const checkCommand = new Command('check')
    .description('Check a config file without running it: exit 0 when good, 2 with every problem.')
    .argument('<config>', "the config file; '-' reads it from stdin")
    .option('--set <NAME=VALUE>', setHelp, set)
    .addHelpText('after', CHECK_HELP_AFTER)
    .action((config: string, options: { set?: string[] }) =>
      run(load().then((m) => m.checkOnly(config, options.set ?? []))),
    );
  const graphCommand = new Command('graph')
    .description(
      'Print the graph of a config: stages, fans, branches, joins, framings on the edges.',
    )
    .argument('<config>', "the config file; '-' reads it from stdin")
    .addOption(
      new Option('--format <format>', 'mermaid or dot')
        .choices(['mermaid', 'dot'])
        .default('mermaid'),
    )
    .option('--set <NAME=VALUE>', setHelp, set)
    .addHelpText('after', GRAPH_HELP_AFTER)
    .action((config: string, options: { format: string; set?: string[] }) =>
      run(load().then((m) => m.printGraph(config, options.format, options.set ?? []))),
    );
  return [runCommand, checkCommand, graphCommand];
}
