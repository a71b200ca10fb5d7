/** A command as far as its exit status goes. */
interface Run {
  readonly argv: readonly string[];
  readonly shell: boolean;
}

/**
 * Programs whose exit status 1 means "nothing selected", not an error: `grep` and its kin. A
 * fan or a stage of them fails on input with no match unless told that 1 is no failure.
 */
const NOTHING_FOUND = new Set([
  'grep',
  'egrep',
  'fgrep',
  'zgrep',
  'rg',
  'ag',
  'ack',
  'pcregrep',
  'pcre2grep',
]);

/**
 * The program whose exit status a command gives: its first word, or under `shell` the first
 * word of its last simple command (`cut -f1 | grep x` ends as grep does), past `VAR=value`s.
 */
function statusProgram(command: Run): string | null {
  const line = command.shell ? command.argv.join(' ') : null;
  const words =
    line === null ? command.argv : (line.split(/\|\||&&|[|;&]/).at(-1) ?? '').trim().split(/\s+/);
  const program = words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
  return program === undefined || program === '' ? null : program.replace(/^.*\//, '');
}

/**
 * The program that gives `command`'s exit status when it is one whose status 1 means it
 * selected nothing (`grep`), or null: what a failure with status 1 gets a hint for.
 */
export function selectsNothing(command: Run): string | null {
  const program = statusProgram(command);
  return program !== null && NOTHING_FOUND.has(program) ? program : null;
}
