import { quoteName } from '../../filters/errors.js';
import { signalNamed, type TermSeq, type TermStep } from '../workers/termseq.js';
import { type NameOf, OptionError, show } from './checks.js';
import { MAX_TIMER_MS } from './jobs.js';

/**
 * `--termseq`, as GNU parallel's: signals and the milliseconds each gives the worker to end, in
 * turn (`TERM,200,TERM,100,TERM,50,KILL,25`); a signal as `TERM`, `SIGTERM` or `15`. A last
 * signal with no time is given none.
 */
export function parseTermseq(value: unknown, name: NameOf): TermSeq {
  const words = typeof value === 'string' && value.trim() !== '' ? value.split(',') : [];
  const steps: TermStep[] = [];
  let why = words.length === 0 ? 'none is given' : '';
  for (let at = 0; why === '' && at < words.length; at += 2) {
    const word = words[at]!.trim();
    const signal = signalNamed(word);
    const time = words[at + 1]?.trim() ?? '0';
    const ms = /^\d+$/.test(time) ? Number(time) : Number.NaN;
    if (signal === undefined) why = `${quoteName(word)} is not a signal`;
    else if (!(ms <= MAX_TIMER_MS)) why = `${quoteName(time)} is not a number of milliseconds`;
    else steps.push({ signal, ms });
  }
  if (why !== '') {
    throw new OptionError(
      'termseq',
      `${name('termseq')} must be signals and the milliseconds each gives a worker to end, in turn, as parallel's TERM,200,TERM,100,TERM,50,KILL,25 (got ${show(value)}: ${why})`,
    );
  }
  return steps;
}
