import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { givenOptions, resolveFanOptions } from '../../orchestrator/cli/fan.js';
import { fanOptions } from '../../orchestrator/cli/fan-options.js';
import { CONFIG_WORKERS, configNameOf, toFanSettings } from '../../orchestrator/config/fan.js';
import { fan as fanApi } from '../../orchestrator/index.js';
import {
  FAN_DEFAULTS,
  type FanSettings,
  flagOf,
  type NameOf,
  resolveFanSettings,
  settingNameOf,
} from '../../orchestrator/options/fan.js';

/** What `manifold fan <args> -- cat` resolves to, as its command line parses it. */
function fromCommandLine(args: string[]) {
  const command = new Command('fan').exitOverride();
  for (const option of fanOptions()) command.addOption(option);
  command.parse(args, { from: 'user' });
  const notes: string[] = [];
  const given = givenOptions(command.opts(), command);
  const options = resolveFanOptions(['cat'], given, (note) => notes.push(note));
  return { options, notes };
}

function fromLibrary(settings: Omit<FanSettings, 'command'>, nameOf: NameOf = settingNameOf) {
  const notes: string[] = [];
  const options = resolveFanSettings({ command: ['cat'], ...settings }, nameOf, (note) =>
    notes.push(note),
  );
  return { options, notes };
}

describe('one options place: the command line, the library and config files agree', () => {
  const same: [string[], Omit<FanSettings, 'command'>][] = [
    [[], {}],
    [['-j', '3', '--block', '64K'], { workers: 3, block: '64K' }],
    [['--block', '65536'], { block: 65536 }],
    [['--merge', 'ordered'], { merge: 'ordered' }],
    [['--retries', '2', '--halt', 'never'], { retries: 2, halt: 'never' }],
    [
      ['--protocol', 'manifold', '--split', 'ndjson', '--join', 'lines'],
      { protocol: 'manifold', split: 'ndjson', join: 'lines' },
    ],
    [['-0', '--one-to-one'], { null: true, oneToOne: true }],
    [
      ['--dispatch', 'hash', '--key', 'field:2', '--field-sep', ','],
      { dispatch: 'hash', key: 'field:2', fieldSep: ',' },
    ],
    [
      ['--merge', 'sorted', '--numeric', '--reverse', '--merge-memory', '8M'],
      { merge: 'sorted', numeric: true, reverse: true, mergeMemory: '8M' },
    ],
    [
      ['--tag', '--per-block', '--max-record', '1K', '--stats', 'x.json', '--verbose'],
      { tag: true, perBlock: true, maxRecord: '1K', stats: 'x.json', verbose: true },
    ],
  ];
  it.each(same)('%j resolves as the library settings %j', (args, settings) => {
    // The same notes, each in its caller's spelling: the command line's here.
    expect(fromLibrary(settings, flagOf)).toEqual(fromCommandLine(args));
    expect(fromLibrary(settings).options).toEqual(fromCommandLine(args).options);
  });

  it("the defaults are the command line's, and FAN_DEFAULTS is what --help shows", () => {
    const { options } = fromLibrary({});
    expect(options.workers).toBe(FAN_DEFAULTS.workers);
    expect(options.blockSize).toBe(1024 * 1024);
    expect(options.maxRecord).toBe(64 * 1024 * 1024);
    expect(options.mergeMemory).toBe(64 * 1024 * 1024);
    expect([options.dispatch, options.merge, options.halt, options.retries]).toEqual([
      'ready',
      'ready',
      'now',
      0,
    ]);
    // Every default --help shows comes from FAN_DEFAULTS.
    const defaults = Object.fromEntries(
      fanOptions()
        .filter((option) => option.defaultValue !== undefined)
        .map((option) => [option.attributeName(), option.defaultValue]),
    );
    expect(defaults).toEqual({ ...FAN_DEFAULTS, retries: String(FAN_DEFAULTS.retries) });
  });

  it("a config's fan resolves as the library's, but for its documented 2 workers", () => {
    const settings = toFanSettings({}, { argv: ['cat'], shell: false });
    const fromConfig = resolveFanSettings(settings, configNameOf);
    expect(fromConfig).toEqual({ ...fromLibrary({}).options, workers: CONFIG_WORKERS });
  });

  it('size units as GNU parallel: lower case decimal, upper case binary, in every face', () => {
    const settings = { block: '3m', maxRecord: '100k', mergeMemory: '8M' };
    const args = ['--block', '3m', '--max-record', '100k', '--merge-memory', '8M'];
    const config = toFanSettings(
      { block: '3m', 'max-record': '100k', 'merge-memory': '8M' },
      { argv: ['cat'], shell: false },
    );
    for (const options of [
      fromLibrary(settings).options,
      fromCommandLine(args).options,
      resolveFanSettings(config, configNameOf),
    ]) {
      expect([options.blockSize, options.maxRecord, options.mergeMemory]).toEqual([
        3_000_000,
        100_000,
        8 * 1024 * 1024,
      ]);
    }
  });

  it('each caller spells the option its own way in messages', () => {
    const bad = { command: ['cat'], mergeMemory: 'lots' };
    expect(() => resolveFanSettings(bad, settingNameOf)).toThrow(/^mergeMemory lots is not a size/);
    expect(() => resolveFanSettings(bad, configNameOf)).toThrow(/^merge-memory lots is not a size/);
    expect(() => fromCommandLine(['--merge-memory', 'lots'])).toThrow(
      /^--merge-memory lots is not a size/,
    );
    // So do notes, an option's value with it.
    const ordered = { merge: 'ordered' } as const;
    const needs = ' needs each output tied to its block: running a fresh worker per block';
    expect(fromCommandLine(['--merge', 'ordered']).notes).toEqual([
      `--merge ordered${needs} (--per-block); --one-to-one or --protocol manifold keep workers running`,
    ]);
    expect(fromLibrary(ordered, configNameOf).notes).toEqual([
      `merge: ordered${needs} (attribution: per-block); attribution: one-to-one or attribution: protocol keep workers running`,
    ]);
    expect(fromLibrary(ordered).notes).toEqual([
      `merge ordered${needs} (perBlock); oneToOne or protocol manifold keep workers running`,
    ]);
  });

  // A run's own lines named the command line's flag to the library's caller (`raise it with
  // --max-record`), and a value as `block: '-0'`, where api.md spells `block '1M '` (QA).
  it("the library's run-time lines name its options: maxRecord, not --max-record", async () => {
    const failed = await fanApi(
      { command: ['cat'], maxRecord: 10 },
      { input: Readable.from(['a\n', `${'x'.repeat(50)}\n`]), output: new PassThrough() },
    ).catch((error: Error) => error.message);
    expect(failed).toBe(
      'input:2: record is larger than the maximum record size 10 B (50 B); raise it with maxRecord',
    );
    expect(settingNameOf('block', '-0')).toBe('block -0');
    expect(settingNameOf('block', '1M ')).toBe("block '1M '");
  });
});
