import { Command, Option } from 'commander';
import { ExitCode } from '../../filters/index.js';
import type { JobStatus } from '../queue/status.js';
import { checkJobName, checkQueueUrl } from '../workers/queue/names.js';
import { loadPart } from './load.js';
import { printed } from './printed.js';

type Run = (status: Promise<number>) => void;

/** `manifold queue`: what is on a NATS JetStream queue (docs/queue.md). */
export function queueCommand(run: Run): Command {
  const command = new Command('queue').description(
    'See the jobs of a NATS JetStream queue that manifold fan --queue and manifold worker --queue share, and remove one left behind.',
  );
  command.addHelpText(
    'after',
    `
Exit status: 0 success; 1 the queue cannot be reached, or has no such job; 2 usage error.

Examples:
  manifold queue status --queue nats://10.0.0.5:4222
  manifold queue rm --queue nats://10.0.0.5:4222 --job logs
  manifold help queue status

See docs/queue.md.`,
  );
  command.action(() => {
    command.outputHelp({ error: true });
    run(Promise.resolve(ExitCode.usage));
  });
  const status = new Command('status')
    .description('Show each job: blocks published, pending, in flight, redelivered, done, failed.')
    .addOption(
      new Option(
        '--queue <url>',
        'the NATS JetStream server: nats://host:4222 (nats://user:password@host:4222 if it asks)',
      ).makeOptionMandatory(),
    )
    .addOption(new Option('--job <name>', 'only this job (all jobs on the server otherwise)'))
    .addOption(new Option('--json', 'one JSON document: an array of jobs'))
    .addHelpText(
      'after',
      `
Exit status: 0 success; 1 the queue cannot be reached, or has no such job; 2 usage error.

Examples:
  manifold queue status --queue nats://10.0.0.5:4222
  manifold queue status --queue nats://10.0.0.5:4222 --job logs --json

See docs/queue.md.`,
    )
    .action((raw: Record<string, unknown>) => run(showStatus(raw)))
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  command.addCommand(status);
  const rm = new Command('rm')
    .description(
      'Remove a job its coordinator left on the server (stopped, killed, its output closed): its blocks and answers; its workers leave.',
    )
    .addOption(
      new Option(
        '--queue <url>',
        'the NATS JetStream server: nats://host:4222 (nats://user:password@host:4222 if it asks)',
      ).makeOptionMandatory(),
    )
    .addOption(new Option('--job <name>', 'the job to remove').makeOptionMandatory())
    .addHelpText(
      'after',
      `
A job's answers go with it: run again, its coordinator starts it afresh. Removing a job whose
coordinator still runs fails that run.

Exit status: 0 removed; 1 the queue cannot be reached, or has no such job; 2 usage error.

Examples:
  manifold queue rm --queue nats://10.0.0.5:4222 --job logs

See docs/queue.md.`,
    )
    .action((raw: Record<string, unknown>) => run(removeJob(raw)))
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  command.addCommand(rm);
  return command;
}

async function removeJob(raw: Record<string, unknown>): Promise<number> {
  const url = checkQueueUrl(String(raw.queue));
  const job = checkJobName(String(raw.job));
  const [{ connectQueue, QueueError }, { removeJob }] = await loadPart(() =>
    Promise.all([import('../workers/queue/connect.js'), import('../queue/status.js')]),
  );
  const conn = await connectQueue(url);
  try {
    if (!(await removeJob(conn, job)))
      throw new QueueError(`no job "${job}" on the queue at ${conn.url}`);
    return ExitCode.ok;
  } finally {
    await conn.close();
  }
}

async function showStatus(raw: Record<string, unknown>): Promise<number> {
  const url = checkQueueUrl(String(raw.queue));
  const only = raw.job === undefined ? null : checkJobName(String(raw.job));
  // The queue's client (NATS) loads only when a queue is used: not on every start of manifold.
  const [{ connectQueue, QueueError }, { formatStatus, jobStatus, listJobs }] = await loadPart(() =>
    Promise.all([import('../workers/queue/connect.js'), import('../queue/status.js')]),
  );
  const conn = await connectQueue(url);
  try {
    const names = only === null ? await listJobs(conn) : [only];
    const jobs: JobStatus[] = [];
    for (const name of names) {
      const job = await jobStatus(conn, name);
      if (job !== null) jobs.push(job);
      else if (only !== null) throw new QueueError(`no job "${only}" on the queue at ${conn.url}`);
    }
    for (const job of jobs.filter((j) => !j.made)) {
      process.stderr.write(
        `manifold: job "${job.job}" is half made (its coordinator is making it, or stopped while it did): run its coordinator again, or remove it with manifold queue rm\n`,
      );
    }
    return await printed(raw.json ? `${JSON.stringify(jobs, null, 2)}\n` : formatStatus(jobs));
  } finally {
    await conn.close();
  }
}
