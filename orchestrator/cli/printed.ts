import { isClosed, shownFailure, stdoutFailure } from '../../filters/shown.js';
import { dieOf } from './signals.js';

/**
 * Writes `text`, a command's whole output (a completion script, a graph, a queue's status, or
 * nothing after commander's `--help`), and resolves 0 once it is out. A full disk is
 * `cannot write stdout: ...`, exit 1; a reader gone is SIGPIPE, as a fan's output. Each exited
 * 0 before, the failure unseen: the process ended before the stream said so.
 */
export async function printed(text: string): Promise<number> {
  if (text !== '') process.stdout.write(text);
  const failure = await shownFailure();
  if (failure === null) return 0;
  if (isClosed(failure.code)) dieOf('SIGPIPE');
  throw stdoutFailure(failure);
}
