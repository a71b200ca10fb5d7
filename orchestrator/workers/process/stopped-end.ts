import type { ProcessEnd, WorkerProcess } from './spawn.js';

/**
 * How long a stopped worker's output may stay open once the worker itself has ended: what it
 * started in a session of its own (`setsid sleep 1000 &`, a daemon), which its process group's
 * signal does not reach, holds the pipe, and its end, told once its output is all read, would
 * wait for that process (a run stopped by SIGINT waited 611 s, deaf to further signals).
 */
const ABANDON_MS = 500;

/**
 * A worker's end: once its output is all read, or, once it is stopped (`stopped` aborted) and
 * has ended itself, a moment later whatever still holds its output; what that writes is not
 * wanted.
 */
export function endOf(child: WorkerProcess, stopped: AbortSignal): Promise<ProcessEnd> {
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  const abandoned = new Promise<ProcessEnd>((resolve) => {
    stopped.addEventListener(
      'abort',
      () => {
        void child.leaderEnded.then((end) => {
          // Held by the loop (the run waits for it), and let go once the output ended after all.
          if (!ended) timer = setTimeout(() => resolve(end), ABANDON_MS);
        });
      },
      { once: true },
    );
  });
  void child.exited.then(() => {
    ended = true;
    clearTimeout(timer);
  });
  return Promise.race([child.exited, abandoned]);
}
