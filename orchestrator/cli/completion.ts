import { Argument, Command, type Option } from 'commander';
import { type CommandNode, SCRIPTS, type Shell } from './completion-scripts.js';
import { printed } from './printed.js';

type Run = (status: Promise<number>) => void;

/**
 * `manifold completion <shell>`: prints a completion script for bash, zsh or fish, made from
 * commander's own description of `program` (its commands, options, choices), so a new option
 * completes without anyone editing a script.
 */
export function completionCommand(program: Command, run: Run): Command {
  return new Command('completion')
    .description('Print a shell completion script for manifold: bash, zsh or fish.')
    .addArgument(new Argument('<shell>', 'the shell').choices(Object.keys(SCRIPTS)))
    .addHelpText(
      'after',
      `
Exit status: 0 success; 2 usage error.

Examples:
  source <(manifold completion bash)                  # this shell only (bash)
  mkdir -p ~/.local/share/bash-completion/completions   # for good: once, then
  manifold completion bash > ~/.local/share/bash-completion/completions/manifold
  manifold completion zsh > "\${fpath[1]}/_manifold"    # then restart zsh
  mkdir -p ~/.config/fish/completions
  manifold completion fish > ~/.config/fish/completions/manifold.fish

See docs/install.md.`,
    )
    .action((shell: string) => {
      // commander has checked the choice.
      run(printed(SCRIPTS[shell as Shell](describeCommand(program, []))));
    });
}

/** The tree of commands and options the scripts complete, from commander's objects. */
export function describeCommand(command: Command, path: string[]): CommandNode {
  const options = (command.options as Option[]).filter((o) => !o.hidden);
  return {
    path,
    description: firstLine(command.description()),
    commands: (command.commands as Command[]).map((sub) =>
      describeCommand(sub, [...path, sub.name()]),
    ),
    options: [
      ...options.map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => f !== undefined),
        value: valueKind(o),
        description: firstLine(o.description),
      })),
      { flags: ['-h', '--help'], value: 'none' as const, description: 'show the help' },
    ],
    // `manifold fan`: the words after the options are a command line of their own.
    takesCommand: command.registeredArguments[0]?.name() === 'command',
    argumentChoices: command.registeredArguments[0]?.argChoices ?? [],
  };
}

function valueKind(option: Option): CommandNode['options'][number]['value'] {
  if (!option.required && !option.optional) return 'none';
  return option.argChoices ?? 'any';
}

/** A description's first line, cut at a word to fit beside the completions. */
function firstLine(text: string): string {
  const line = text.split('\n')[0]!;
  return line.length <= 72 ? line : `${line.slice(0, line.lastIndexOf(' ', 71))}…`;
}
