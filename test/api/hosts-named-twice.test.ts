import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fan, UsageError } from '../../orchestrator/index.js';
import { sink } from '../support/sink.js';
import { tempDir } from '../support/temp.js';

// A host named twice is refused by the library as by the command line (fan --host, 7ef8d13):
// before anything starts, a UsageError (manifold.usage, exit 2) naming both entries by index
// (`hosts[0] and hosts[2]`; it said `by hosts h1 and hosts h1`, which one left to guess). No host is
// reached: `:` and `local` are this machine, and the names of the others are never looked up.

const calls = {
  fan: (options: object) =>
    fan(options as never, { input: Readable.from(['a\n']), output: sink() }),
  'fan.stream': async (options: object) => {
    for await (const _ of fan.stream(options as never, { input: Readable.from(['a\n']) })) {
    }
  },
};

describe.each(Object.keys(calls) as (keyof typeof calls)[])(
  '%s: a host named twice, or none',
  (api) => {
    it.each([
      [
        ['h1', 'h1'],
        'host h1 is named twice, by hosts[0] h1 and hosts[1] h1: name it once, with its slots (h1/N)',
      ],
      [
        ['h1/2', 'h2', 'h1/3'],
        'host h1 is named twice, by hosts[0] h1/2 and hosts[2] h1/3: name it once, with its slots (h1/N)',
      ],
      [
        [':/1', 'local/1'],
        'host local is named twice, by hosts[0] :/1 and hosts[1] local/1: name it once, with its slots (local/N)',
      ],
      // A list naming no host, as a config's `hosts: []`: it ran on this machine without a word.
      [[], 'hosts is an empty list: name one or more hosts, or leave it out'],
    ])('%j is refused, a usage error, and nothing runs', async (hosts, message) => {
      const marker = join(tempDir(), 'ran');
      const error = await calls[api]({ command: ['sh', '-c', `touch ${marker}; cat`], hosts }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      const { code, exitCode, message: said } = error as UsageError;
      expect({ code, exitCode, message: said, ran: existsSync(marker) }).toEqual({
        code: 'manifold.usage',
        exitCode: 2,
        message,
        ran: false,
      });
    });
  },
);
