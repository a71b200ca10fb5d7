import { UsageError } from '../../filters/index.js';
import { processKind, sizePipe } from './process/kind.js';
import type { TakingInput } from './relay.js';
import { sshKind } from './ssh/kind.js';
import { threadKind } from './thread/kind.js';
import type { WorkerKind } from './transport.js';
import type { AttributedKind } from './types.js';

/**
 * Every kind of worker, by the name the options give (`kind`). Adding a kind is a folder beside
 * `process/` that exports a `WorkerKind`, and a line here.
 */
const kinds: Readonly<Record<string, WorkerKind>> = {
  process: processKind,
  thread: threadKind,
  ssh: sshKind,
};

/**
 * Resolves once every kind's helpers that are done have ended (`WorkerKind.helpersEnded`), or
 * after `graceMs` should one not: a library call settles with nothing of manifold's running.
 */
export async function helpersEnded(graceMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  const ended = Promise.all(Object.values(kinds).map((kind) => kind.helpersEnded?.()));
  await Promise.race([ended, grace]);
  clearTimeout(timer);
}

/** The names of the kinds, for messages and the docs. */
export const workerKinds: readonly string[] = Object.keys(kinds);

/** The kind an option names, or the kind itself when code gives one (tests, embedding programs). */
export function workerKind(
  kind: string | WorkerKind | AttributedKind = 'process',
): WorkerKind | AttributedKind {
  if (typeof kind !== 'string') return kind;
  const found = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  if (found === undefined) {
    throw new UsageError(`unknown worker kind '${kind}' (known: ${workerKinds.join(', ')})`);
  }
  return found;
}

/**
 * Sizes the fan's own input pipe (a path in /proc) to 1 MiB where a helper can (the process
 * kind's starter, started ahead for `manifold fan`): fewer, larger reads of it.
 */
export function sizeInputPipe(path: string): void {
  sizePipe(path);
}

/**
 * Whether workers of `kind` that stay take blocks left in a file without their bytes crossing
 * manifold (`WorkerKind.sendsFromFiles`): the process kind, where its Python starter is at hand.
 */
export function sendsFromFiles(kind?: string | WorkerKind | AttributedKind): boolean {
  const found = workerKind(kind);
  return 'sendsFromFiles' in found && found.sendsFromFiles?.() === true;
}

/**
 * Hands manifold's input pipe (`fd`) to the kind's helper for relayed workers that take it
 * (`WorkerKind.takeInput`); null where the kind cannot.
 */
export function takeInput(
  kind: string | WorkerKind | AttributedKind | undefined,
  fd: number,
  delimiter: Buffer,
  maxRecord: number,
  cap: number,
): TakingInput | null {
  const found = workerKind(kind);
  if (!('takeInput' in found) || found.takeInput === undefined) return null;
  return found.takeInput(fd, delimiter, maxRecord, cap);
}
