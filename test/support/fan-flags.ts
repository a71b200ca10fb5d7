import type { Option } from 'commander';
import { fanCommand } from '../../orchestrator/cli/fan.js';

// The options of `manifold fan` as commander holds them, the one list the tests that go over
// every option draw from (cli-bad-input-property, fan-options): an option added to the command
// is in each of them at once, not when someone writes it into each test's own copy.

const options = fanCommand(() => {}).options as Option[];

/** How the tests spell an option: its short name where it has one (`-j`, `-0`), else its long. */
const spelling = (option: Option) => option.short ?? option.long!;

const takesValue = (option: Option) => option.required || option.optional;

/** The options that take a value: `-j`, `--split`, ... `--queue`, `--output`. */
export const FAN_VALUED: readonly string[] = options.filter(takesValue).map(spelling);

/** The options that take none: `-0`, `--numeric`, ... `--verbose`. */
export const FAN_FLAGS: readonly string[] = options
  .filter((option) => !takesValue(option))
  .map(spelling);

/** Every option by its long name, as `manifold fan --help` lists it. */
export const FAN_LONG: readonly string[] = options.map((option) => option.long!);
