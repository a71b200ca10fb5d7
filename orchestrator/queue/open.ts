import { JetStreamApiError } from '@nats-io/jetstream';
import type { UsageError } from '../../filters/index.js';
import { fileRanges } from '../fan/input-places.js';
import type { FanOptions, Reporter } from '../fan/options.js';
import type { FanSettings } from '../options/fan-settings.js';
import type { QueueTarget } from '../options/queue.js';
import {
  askQueue,
  connectQueue,
  type QueueConnection,
  type QueueError,
} from '../workers/queue/connect.js';
import { queueKind } from '../workers/queue/coordinator.js';
import { whenGone, whenRemoved } from '../workers/queue/gone.js';
import { deleteJob, startJob } from '../workers/queue/job.js';
import { freshId, MESSAGE_OVERHEAD } from '../workers/queue/messages.js';
import { type JobNames, type JobOptionName, jobFlagOf, jobNames } from '../workers/queue/names.js';
import { checkSameTables, storeTables } from '../workers/queue/tables.js';
import { termSeqText } from '../workers/termseq.js';

/** A coordinator's job opened on the queue: the engine's options to run it with. */
export interface OpenedJob {
  /** The fan's options with the queue as its one worker. */
  options: FanOptions;
  resumed: boolean;
  conn: QueueConnection;
  /**
   * Resolves, to the line to say, once the server has been unreachable for the target's
   * `timeoutMs`, or the job was removed by another (`manifold queue rm`): the connection is
   * closed then, so the run fails (docs/queue.md, Faults).
   */
  gone: Promise<QueueError>;
  /**
   * Resolves, to the line to say (exit 2), when the job cannot be resumed with this input (its
   * header differs from the one its answers were made with): the run is to be stopped, the job kept.
   */
  refused: Promise<UsageError>;
  /** Removes the job when `finished` (a stopped one stays, to be resumed), and disconnects. */
  close(finished: boolean): Promise<void>;
}

/**
 * Connects to the queue and starts (or resumes) the job for a fan resolved as for a local one:
 * the one place the command line, configs and the library set up a queue's coordinator. Its
 * `retries` are the queue's (a block's tries, counted by its workers): the engine gets none.
 */
export async function openQueueJob(
  target: QueueTarget,
  resolved: FanOptions,
  log: (line: string) => void,
): Promise<OpenedJob> {
  const names = jobNames(target.job);
  const conn = await connectQueue(target.url, log);
  try {
    const limit = conn.maxPayload - MESSAGE_OVERHEAD;
    if (resolved.blockSize > limit)
      log(
        `block ${resolved.blockSize}: blocks are cut to ${limit} bytes, to fit a message of the queue (max_payload ${conn.maxPayload})`,
      );
    const block = Math.min(resolved.blockSize, limit);
    // Tables are stored before the job exists: its workers fetch them once they see the job.
    const tables = await storeTables(conn, target.tables, log);
    const wanted = {
      split: resolved.framing.name,
      join: resolved.outputFraming.name,
      block,
      tries: 1 + resolved.retries,
      ackWaitMs: target.ackWaitMs,
      ...(target.tables.length > 0 && { tables }),
      // Timed where blocks run: by the workers, each block a try (queue/server.ts).
      timeoutMs: resolved.timeout ?? null,
      // How the workers end their processes, past the timeout and when they stop.
      ...(resolved.termseq !== undefined && { termseq: termSeqText(resolved.termseq) }),
      // The header is read with the input, and given to the workers before the first block.
      ...(resolved.header ? { header: resolved.header } : {}),
    };
    // Notices stored from now on are to this coordinator: a worker waiting for the job tells it
    // as soon as the job's description is there, before the stream's last sequence is read below.
    const noticesAfter = await lastResult(conn, names);
    // Named as the caller spells them: a config's keys are the flags' own words (`job`, `ack-wait`).
    const optionName: JobOptionName =
      resolved.optionName === undefined
        ? jobFlagOf
        : (option, value) => resolved.optionName!(option as keyof FanSettings, value);
    const { spec, resumed } = await startJob(conn, names, wanted, freshId(), optionName);
    checkSameTables(spec.tables, tables, target.job, optionName);
    const resultsUpTo = await lastResult(conn, names);
    const window = Math.max(4 * block, resolved.mergeMemory);
    const removal = whenRemoved(conn, names, spec.run);
    const gone = Promise.race([
      whenGone(conn, target.timeoutMs, `the coordinator of job "${target.job}"`),
      removal.removed,
    ]);
    let refuse: (error: UsageError) => void = () => {};
    const refused = new Promise<UsageError>((resolve) => {
      refuse = resolve;
    });
    // As the engine says a failure's line (fan/verdict.ts): to the reporter, or stderr.
    const reporter: Reporter = resolved.reporter ?? process.stderr;
    const say = (line: string) =>
      reporter.failure === undefined
        ? reporter.write(`manifold: ${line}\n`)
        : reporter.failure(line);
    const options: FanOptions = {
      ...resolved,
      kind: queueKind({
        ...{ conn, names, spec, window, resultsUpTo, noticesAfter },
        ...{ log, say, gone, refuse, optionName },
        // Its blocks named in several --input files, as the rest of the fan names them.
        places: fileRanges(resolved),
        // Every answer in hand, its output perhaps still being written: the job's removal by
        // another (a second coordinator of it that finished first, `manifold queue rm`) is no
        // loss now, and does not fail a run whose output is complete.
        answered: () => removal.stop(),
      }),
      workers: 1,
      attribution: 'protocol',
      retries: 0,
      timeout: undefined,
      blockSize: spec.block,
      blockGiven: true,
    };
    return {
      options,
      resumed,
      conn,
      gone,
      refused,
      async close(finished) {
        removal.stop();
        try {
          // A job whose server is gone stays on it, to be resumed; gone while it is removed (the
          // connection closed under the removal past --queue-timeout), it is said as gone.
          if (finished && !conn.nc.isClosed())
            await deleteJob(conn, names).catch(async (error: unknown) => {
              throw conn.nc.isClosed() ? await Promise.race([gone, error]) : error;
            });
        } finally {
          await conn.close();
        }
      },
    };
  } catch (error) {
    await conn.close();
    throw error;
  }
}

/** The last sequence of the job's results stream: 0 when it has none, or there is no such stream. */
async function lastResult(conn: QueueConnection, names: JobNames): Promise<number> {
  try {
    const results = await askQueue(conn, `reading the results stream of job "${names.job}"`, () =>
      conn.jsm.streams.info(names.resultsStream),
    );
    return results.state.last_seq;
  } catch (error) {
    if (error instanceof JetStreamApiError) return 0;
    throw error;
  }
}
