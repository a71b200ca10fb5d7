// Blocks' start times from a --joblog, for the tests of --delay (a lower bound between starts).

/** The blocks' start times (seconds), in order, from a job log's rows. */
export function starts(log: string): number[] {
  const [head, ...rows] = log.split('\n').filter(Boolean);
  const at = head!.split('\t').indexOf('Starttime');
  return rows.map((row) => Number(row.split('\t')[at])).sort((a, b) => a - b);
}

/** The gaps between starts, in milliseconds, rounded to the log's milliseconds. */
export const gaps = (times: number[]) =>
  times.slice(1).map((time, i) => Math.round((time - times[i]!) * 1000));
