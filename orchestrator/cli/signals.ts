// Signals as a Unix program takes them, for every command of manifold. Apart from status.ts,
// whose exit statuses need the fan's output: the table commands, loaded apart, use these alone,
// and a module they share with the fan's would be one more chunk for Node to open as it starts
// (under a low `ulimit -n`, Node's loader opens a start's chunks all at once).

/**
 * Calls `stop` on SIGINT, SIGTERM or SIGHUP; and with SIGPIPE once manifold's stderr is a pipe
 * whose reader has gone (a write of it failed with EPIPE), where a program would die of SIGPIPE.
 * Node ignores SIGPIPE and would instead crash on the stream's error, its workers left running
 * (`manifold run c.yaml 2>&1 >out | head -c 100` with workers' stderr under `tag`).
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  // Any other error of stderr has nowhere to be said; the run goes on.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stop('SIGPIPE');
  });
}

/**
 * Ends the process by `signal`'s default action, death. Node ignores SIGPIPE and manifold
 * listens for the others: adding a listener and removing them all gives back the default.
 */
export function dieOf(signal: NodeJS.Signals): void {
  process.on(signal, () => {});
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}
