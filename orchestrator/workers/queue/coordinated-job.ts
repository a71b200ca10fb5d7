import type { UsageError } from '../../../filters/index.js';
import type { RangeNamer } from '../block.js';
import type { QueueConnection } from './connect.js';
import type { JobSpec } from './job.js';
import type { JobNames, JobOptionName } from './names.js';

/** A job on the queue, opened by its coordinator (`manifold fan --queue`). */
export interface CoordinatedJob {
  conn: QueueConnection;
  names: JobNames;
  spec: JobSpec;
  /** The most bytes of blocks published and not yet answered: what bounds memory. */
  window: number;
  /** Says a problem that does not stop the run (a publish retried while the server is away). */
  log: (line: string) => void;
  /** Says, whatever --verbose, a worker that left the job for a fault of its own (notice.ts). */
  say: (line: string) => void;
  /**
   * The results stream's last sequence when the coordinator started: blocks are published only
   * once the results up to it are read, so that a resumed job sends no answered block again.
   */
  resultsUpTo: number;
  /**
   * The results stream's last sequence before the coordinator started the job: the workers'
   * notices after it are to this coordinator (a worker waiting for the job tells it at once).
   */
  noticesAfter: number;
  /** Resolves once the server has been gone too long (gone.ts): the blocks given fail. */
  gone?: Promise<Error>;
  /** Told that the job cannot be resumed with this input (another --header): exit 2. */
  refuse?: (error: UsageError) => void;
  /** How its messages name the job's options: manifold fan --queue's flags unless said. */
  optionName?: JobOptionName;
  /** How its messages name a block's records in several --input files, as the fan's others do. */
  places?: RangeNamer;
  /**
   * Told once every block of the input is answered: the job needs nothing more of the server
   * but its removal, and its removal by another is no loss (open.ts).
   */
  answered?: () => void;
}
