import { basename } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { argumentNotText } from './raw-arguments.js';
import { runFilter } from './run.js';
import { flushed, outliveChildren } from './thread-children.js';
import type { FilterSpec, RecordKind } from './types.js';

/** A declared filter: run it from a command line, or as the main module of an executable. */
export interface Filter<K extends RecordKind = 'buffer', S = unknown> {
  readonly spec: FilterSpec<K, S>;
  /** Runs on stdin and stdout with these arguments and resolves to the exit status. */
  run(argv?: string[]): Promise<number>;
  /**
   * Runs with the process's arguments and exits with the status (or, when it is 0, with
   * `process.exitCode` if the filter set it): a filter executable's last line.
   */
  main(): Promise<never>;
}

/**
 * Declares a filter.
 *
 * ```ts
 * defineFilter({ name: 'upper', records: 'text', transform: (line) => line.toUpperCase() }).main();
 * ```
 */
export function defineFilter<K extends RecordKind = 'buffer', S = unknown>(
  spec: FilterSpec<K, S>,
): Filter<K, S> {
  // Plain JavaScript may leave the name out: its messages said "undefined: stdin:2: ...".
  if (!spec.name) spec = { ...spec, name: fileName() };
  return {
    spec,
    run: (argv = process.argv.slice(2)) => runFilter(spec as FilterSpec<RecordKind, S>, argv),
    async main() {
      // SIGUSR1 kills a filter, as it kills `cat`: Node's own handler would open its debugger on
      // 127.0.0.1:9229 instead. Adding a listener and removing it gives back the default action
      // (a listener would wait for the event loop, which a blocking read of stdin holds).
      if (isMainThread) {
        const none = () => {};
        process.on('SIGUSR1', none);
        process.removeListener('SIGUSR1', none);
        const notText = argumentNotText(spec.name);
        if (notText !== null) {
          process.stderr.write(`${spec.name}: ${notText} (see '${spec.name} --help')\n`);
          await stderrOut();
          process.exit(2);
        }
      }
      const status = await runFilter(spec as FilterSpec<RecordKind, S>, process.argv.slice(2));
      // A status the filter set itself (process.exitCode) stands unless it failed: exit(0)
      // overrode it.
      if (status !== 0) process.exitCode = status;
      // A thread stays until the processes its filter started have ended, to wait for them.
      await outliveChildren(Number(process.exitCode ?? 0));
      if (isMainThread) await stderrOut();
      process.exit();
    },
  };
}

/**
 * Resolves once what the filter wrote to stderr has left the process: a pipe Node writes without
 * blocking queues what a slow reader has not taken, and process.exit() dropped it (its last
 * warnings, and its own error line: `mf-map: stdin:20000: ...`). Exiting waits for a stalled
 * reader, as a C program's write to its stderr does.
 */
function stderrOut(): Promise<void> {
  if (process.stderr.writableLength === 0 || process.stderr.destroyed) return Promise.resolve();
  return flushed(process.stderr);
}

/** The filter's file: the module a thread runs (thread.ts), else the script the process runs. */
function fileName(): string {
  const module = isMainThread ? undefined : (workerData as { module?: unknown } | null)?.module;
  const file = typeof module === 'string' ? module : process.argv[1];
  return file ? basename(file) : 'filter';
}
