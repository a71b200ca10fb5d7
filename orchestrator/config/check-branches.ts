import { describeError, parseFraming } from '../../filters/index.js';
import type { CommandSpec } from '../workers/command.js';
import { type CommandChecking, checkJoin, checkOkStatus } from './check-commands.js';
import type { BranchStage } from './model.js';
import type { Env, Path, RawStage } from './raw.js';

/** How a branches stage's outputs continue, checked: `combine` and the keys that go with it. */
export function checkCombine(
  commands: CommandChecking,
  raw: RawStage,
  path: Path,
  names: string[],
  env: Env,
): Pick<BranchStage, 'combine' | 'join' | 'split' | 'okStatus'> {
  const combine = raw.combine ?? (raw.join !== undefined ? 'join' : 'concat');
  let join: CommandSpec | null = null;
  if (combine === 'join') {
    if (raw.join === undefined)
      commands.problem(path, 'combine: join needs a "join" command with {branch} placeholders');
    else join = checkJoin(commands, raw.join, [...path, 'join'], names, env);
  } else if (raw.join !== undefined) {
    commands.problem([...path, 'join'], `"join" needs combine: join (it is ${combine})`);
  }
  // The join's: a concat or a merge has no exit status.
  if (raw['ok-status'] !== undefined && combine !== 'join')
    commands.problem([...path, 'ok-status'], `"ok-status" needs combine: join (it is ${combine})`);
  const okStatus = combine === 'join' ? checkOkStatus(commands, raw, path) : undefined;
  // Only a merge cuts the branches' outputs into records.
  if (raw.split !== undefined && combine !== 'merge')
    commands.problem([...path, 'split'], `"split" needs combine: merge (it is ${combine})`);
  const split = raw.split ?? 'lines';
  try {
    parseFraming(split, 'split');
  } catch (error) {
    commands.problem([...path, 'split'], describeError(error));
  }
  return { combine, join, split, ...(okStatus && { okStatus }) };
}
