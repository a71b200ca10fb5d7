import { flagOf, type NameOf } from '../options/fan.js';

/**
 * `option` (set to `value`) as a fan's messages name it: the command line's flag (`--halt
 * soon`), or, for a stage of `manifold run`, the config's key (`halt: soon`).
 */
export const spell = (
  options: { optionName?: NameOf | undefined },
  ...[option, value]: Parameters<NameOf>
): string => (options.optionName ?? flagOf)(option, value);
