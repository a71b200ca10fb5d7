import { parseCutting } from '../../filters/framing/spec.js';
import {
  describeError,
  parseFraming,
  parseKeySpec,
  parseSeparator,
  parseSize,
} from '../../filters/index.js';
import { workerCount } from '../options/checks.js';
import { blocksPerWorker, type FanSettings, keyNameOf, type NameOf } from '../options/fan.js';
import {
  parseDelay,
  parseHalt,
  parseHeader,
  parseOkStatus,
  parseTimeout,
} from '../options/jobs.js';
import { parseNice } from '../options/nice.js';
import { parseAckWait } from '../options/queue.js';
import { parseTermseq } from '../options/termseq.js';
import type { CommandSpec } from '../workers/command.js';
import { checkJobName, checkQueueUrl } from '../workers/queue/names.js';

/** A config's fan runs 2 workers unless it says otherwise (docs/config.md). */
export const CONFIG_WORKERS = 2;

type Report = (key: string, message: string) => void;

/** Checks a fan's values one by one, so that every bad one is reported, each at its key. */
export function checkFanValues(raw: Record<string, unknown>, report: Report): void {
  const check = (key: string, parse: (value: unknown) => unknown): boolean => {
    if (raw[key] === undefined) return true;
    try {
      parse(raw[key]);
      return true;
    } catch (error) {
      report(key, describeError(error));
      return false;
    }
  };
  // A bad separator is said at its own key, once, not at each key it would split.
  const given = raw['field-sep'] as string | undefined;
  const sep = check('field-sep', (v) => parseSeparator(String(v), 'field-sep')) ? given : undefined;
  const checks: [string, (value: unknown) => unknown][] = [
    ['workers', (v) => workerCount(v, 'workers')],
    ['split', (v) => parseCutting(String(v), 'split')],
    ['join', (v) => parseFraming(String(v), 'join')],
    ['block', (v) => blocksPerWorker(String(v), configNameOf) ?? parseSize(String(v), 'block')],
    ['max-record', (v) => parseSize(String(v), 'max-record')],
    ['merge-memory', (v) => parseSize(String(v), 'merge-memory')],
    ['thread-heap', (v) => parseSize(String(v), 'thread-heap')],
    ['key', (v) => parseKeySpec(String(v), sep, 'key', 'field-sep')],
    ['group-by', (v) => parseKeySpec(String(v), sep, 'group-by', 'field-sep')],
    ['timeout', (v) => parseTimeout(v, configNameOf)],
    ['delay', (v) => parseDelay(v, configNameOf)],
    ['termseq', (v) => parseTermseq(v, configNameOf)],
    ['nice', (v) => parseNice(v, configNameOf)],
    ['halt', (v) => parseHalt(v, configNameOf)],
    ['ok-status', (v) => parseOkStatus(v, configNameOf)],
    ['header', (v) => parseHeader(v, configNameOf)],
    // A queue's: said as values, before the keys that do not go with a queue.
    ['queue', (v) => checkQueueUrl(String(v), 'queue')],
    ['job', (v) => checkJobName(String(v), 'job')],
    ['ack-wait', (v) => parseAckWait(v, 'ack-wait')],
    ['queue-timeout', (v) => parseTimeout(v, () => 'queue-timeout')],
  ];
  for (const [key, parse] of checks) check(key, parse);
}

/** A config's fan, as the settings of the one options place (a config's own default: 2 workers). */
export function toFanSettings(raw: Record<string, unknown>, command: CommandSpec): FanSettings {
  const attribution = raw.attribution as string | undefined;
  return {
    command: command.argv,
    shell: command.shell,
    workers: (raw.workers as number | undefined) ?? CONFIG_WORKERS,
    split: raw.split as string | undefined,
    join: raw.join as string | undefined,
    block: raw.block as string | number | undefined,
    records: raw.records as number | undefined,
    groupBy: raw['group-by'] as string | undefined,
    maxRecord: raw['max-record'] as string | undefined,
    mergeMemory: raw['merge-memory'] as string | undefined,
    dispatch: raw.dispatch as FanSettings['dispatch'],
    key: raw.key as string | undefined,
    fieldSep: raw['field-sep'] as string | undefined,
    merge: raw.merge as FanSettings['merge'],
    numeric: raw.numeric === true ? true : undefined,
    reverse: raw.reverse === true ? true : undefined,
    tag: raw.tag === true,
    removeRecSep: raw['remove-rec-sep'] === true ? true : undefined,
    tagString: raw['tag-string'] as string | undefined,
    perBlock: attribution === 'per-block' ? true : undefined,
    cat: raw.cat === true ? true : undefined,
    fifo: raw.fifo === true ? true : undefined,
    oneToOne: attribution === 'one-to-one' ? true : undefined,
    protocol: attribution === 'protocol' ? 'manifold' : undefined,
    retries: raw.retries as number | undefined,
    halt: raw.halt as FanSettings['halt'],
    okStatus: raw['ok-status'] as FanSettings['okStatus'],
    timeout: raw.timeout as FanSettings['timeout'],
    delay: raw.delay as FanSettings['delay'],
    termseq: raw.termseq as string | undefined,
    nice: raw.nice as FanSettings['nice'],
    tmpdir: raw.tmpdir as string | undefined,
    header: raw.header as FanSettings['header'],
    joblog: raw.joblog as string | undefined,
    threadHeap: raw['thread-heap'] as string | undefined,
  };
}

const ATTRIBUTIONS: Partial<Record<keyof FanSettings, string>> = {
  perBlock: 'per-block',
  oneToOne: 'one-to-one',
  protocol: 'protocol',
};

/**
 * How a config says an option, for messages: its key (`max-record`), with a value as written
 * (`merge: ordered`); a way of tying output to blocks is a value of `attribution`, the command
 * is the `worker`, and a shell runs a string worker or one of stages.
 */
export const configNameOf: NameOf = (option, value) => {
  const attribution = ATTRIBUTIONS[option];
  if (attribution !== undefined) return `attribution: ${attribution}`;
  if (option === 'command') return 'worker';
  if (option === 'shell') return 'a string or stages worker';
  const key = keyNameOf(option);
  return value === undefined ? key : `${key}: ${value}`;
};

/** The config key an option's problem is reported at: `max-record`, `attribution`, `worker`. */
export function configKeyOf(option: keyof FanSettings): string {
  if (option === 'perBlock' || option === 'oneToOne' || option === 'protocol') return 'attribution';
  if (option === 'command' || option === 'shell' || option === 'threads') return 'worker';
  return keyNameOf(option);
}
