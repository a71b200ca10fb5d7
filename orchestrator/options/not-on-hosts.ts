import { type NameOf, OptionError } from './checks.js';
import type { FanSettings } from './fan-settings.js';

/** What of a fan's resolved options the refusals below look at. */
interface OnHosts {
  kind?: unknown;
  blockFile?: 'cat' | 'fifo' | undefined;
  tmpdir?: string | undefined;
}

/**
 * The options that cannot go with hosts, and why: one table, which the command line, configs
 * and the library read alike, each naming the option as its user spells it (`--cat`, `cat`).
 */
const NOT_ON_HOSTS: {
  given: (fan: OnHosts) => keyof FanSettings | undefined;
  why: string;
}[] = [
  {
    given: (fan) => (fan.kind === 'thread' ? 'threads' : undefined),
    why: 'threads run in this process',
  },
  {
    given: (fan) => fan.blockFile,
    why: "a block's file is on this machine, not on the hosts",
  },
  {
    // GNU parallel's --tmpdir is this machine's too: its remote jobs keep their host's TMPDIR.
    given: (fan) => (fan.tmpdir === undefined ? undefined : 'tmpdir'),
    why:
      "it is a folder of this machine, given to the workers as TMPDIR, and a host's workers " +
      "keep their own, as parallel's remote jobs do (for this machine's spills, set TMPDIR for manifold itself)",
  },
];

/**
 * The first option of `fan` that cannot go with hosts, as an OptionError naming it (`name`) and
 * the hosts (`hosts`: `--host`, `hosts`); null when none is given.
 */
export function notOnHosts(fan: OnHosts, name: NameOf, hosts: string): OptionError | null {
  for (const { given, why } of NOT_ON_HOSTS) {
    const option = given(fan);
    if (option !== undefined)
      return new OptionError(option, `${name(option)} cannot go with ${hosts}: ${why}`);
  }
  return null;
}
