import type { Stage } from '../config/model.js';
import type { OpenedJob } from '../queue/open.js';
import { fanStages } from './hosts.js';

/** A fan stage's job, with the stage's name (its node's label). */
export interface StageJob {
  stage: string;
  job: OpenedJob;
}

/**
 * Opens the job of each fan stage that has a queue (`queue:`), before any stage starts, and
 * makes the queue that stage's one worker. Returns the jobs, to be closed once the run has ended:
 * removed from the server when its stage finished, kept (to be resumed) when a signal, or the
 * run, stopped it (run.ts).
 */
export async function openStageQueues(
  stages: readonly Stage[],
  log: (line: string) => void,
): Promise<StageJob[]> {
  const jobs: StageJob[] = [];
  try {
    for (const stage of fanStages(stages)) {
      if (stage.queue === undefined) continue;
      // The queue's client (NATS) loads only when a stage uses a queue.
      const { openQueueJob } = await import('../queue/open.js');
      const job = await openQueueJob(stage.queue, stage.options, log).catch((error: unknown) => {
        // Its refusals (a job resumed otherwise) name the stage, as its failures as it runs do.
        if (error instanceof Error) error.message = `stage ${stage.name}: ${error.message}`;
        throw error;
      });
      jobs.push({ stage: stage.name, job });
      stage.options = job.options;
      log(
        `stage ${stage.name}: ${job.resumed ? 'resuming' : 'started'} job "${stage.queue.job}" on ${job.conn.url}`,
      );
    }
  } catch (error) {
    await Promise.all(jobs.map(({ job }) => job.close(false)));
    throw error;
  }
  return jobs;
}
