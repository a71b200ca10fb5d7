import type { Command } from 'commander';
import { UsageError } from '../../filters/index.js';

// `manifold worker` has two uses, each with options of its own: a host's side of `manifold fan
// --host` (--stdio, --probe, --receive, started over SSH) and a worker of a queue's job (--queue).
// An option of the other use given would be taken and do nothing (`--heartbeat 5s` for a
// queue's worker): it is refused, naming it and the use it belongs to.

/** The options of the use over SSH, by commander's attribute name; the rest are the queue's. */
const STDIO_OWN = new Set(['stdio', 'probe', 'receive', 'heartbeat', 'hostTimeout']);
/** The options that choose the use over SSH. */
const STDIO_USES = ['stdio', 'probe', 'receive'];

/**
 * Refuses an option given (not commander's default) that belongs to the other use than the one
 * chosen; nothing when no use is chosen (the resolvers say what is missing).
 */
export function refuseOtherUse(raw: Record<string, unknown>, command: Command): void {
  const given = (key: string) => {
    const source = command.getOptionValueSource(key);
    return source !== undefined && source !== 'default';
  };
  const queue = raw.queue !== undefined;
  const use = queue ? 'queue' : STDIO_USES.find(given);
  if (use === undefined) return;
  for (const option of command.options) {
    const key = option.attributeName();
    if (key === use || !given(key) || STDIO_OWN.has(key) !== queue) continue;
    const flag = option.flags.replace(/ [<[].*$/, '');
    if (queue && STDIO_USES.includes(key))
      throw new UsageError(`choose one of --queue and ${flag}: two uses of manifold worker`);
    throw new UsageError(
      queue
        ? `${flag} is not for --queue: it is for --stdio, a host's side of manifold fan --host`
        : `${flag} is not for --${use}: it is for --queue, a worker of a queue's job`,
    );
  }
}
