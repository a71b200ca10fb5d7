import { Command } from 'commander';
import { queueWorkerOptions, runQueueWorker, WORKER_QUEUE_HELP } from './worker-queue.js';

/**
 * `manifold worker`: the far side of a fan that runs elsewhere. With `--queue`, it serves a job
 * of a NATS JetStream queue (worker-queue.ts). Running it resolves to the exit status.
 */
export function workerCommand(run: (status: Promise<number>) => void): Command {
  const command = new Command('worker')
    .description(
      "Run blocks of a fan that runs elsewhere through this machine's own command, and send back their output.",
    )
    .usage('--queue <url> [options] -- <command> [args...]')
    .argument('[command...]', 'the command each block runs through, and its arguments')
    .passThroughOptions()
    .addHelpText('after', WORKER_QUEUE_HELP)
    .action((argv: string[], raw: Record<string, unknown>) => run(runQueueWorker(argv, raw)));
  for (const option of queueWorkerOptions()) command.addOption(option);
  return command;
}
