// Signals as a Unix program takes them, for every command of manifold. Apart from status.ts,
// whose exit statuses need the fan's output: the table commands use these alone, without
// the fan's modules.

/**
 * SIGHUP was ignored where manifold was started (`nohup manifold ...`, `trap '' HUP`): Node
 * resets that as it starts, so manifold's executable, a shell script too, says so first
 * (build.mjs). Taken out of the environment its workers get: theirs is their own.
 */
const hangupIgnored = process.env.MANIFOLD_SIGHUP === 'ignored';
delete process.env.MANIFOLD_SIGHUP;

const STOP_SIGNALS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGALRM',
] as const;

/**
 * Calls `stop` on SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 or SIGALRM, each of which
 * kills a program without a handler: manifold's children each lead their own process group, so
 * dying of one (Ctrl-\ at a terminal: SIGQUIT to manifold's group alone) left them running. And
 * with SIGPIPE once manifold's stderr is a pipe
 * whose reader has gone (a write of it failed with EPIPE), where a program would die of SIGPIPE.
 * Node ignores SIGPIPE and would instead crash on the stream's error, its workers left running
 * (`manifold run c.yaml 2>&1 >out | head -c 100` with workers' stderr under `tag`).
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of STOP_SIGNALS) {
    // Ignored where manifold was started (nohup): heard and let be, as the ignoring asks.
    if (signal === 'SIGHUP' && hangupIgnored) process.on(signal, () => {});
    else process.on(signal, stop);
  }
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

/**
 * Gives SIGUSR1 back its default action, death, which a program without a handler for it
 * takes: Node's own handler would open its debugger on 127.0.0.1:9229 instead (Node 20 has no
 * `--disable-sigusr1`), a port that runs any code sent to it. Adding a listener and removing it
 * sets the default (as dieOf relies on), for good: Node sets its handler once, as it starts.
 * Not a listener that dies: a listener waits for the event loop, which a blocking read holds.
 */
export function defaultSigusr1(): void {
  const none = () => {};
  process.on('SIGUSR1', none);
  process.removeListener('SIGUSR1', none);
}
