import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Case } from './report.js';

/**
 * The same cases run with another build of manifold, side by side with this one's: each case
 * that runs this checkout's `dist/` gets a twin that runs the other checkout's, named
 * `<name> [other]` and compared with the original, so "old build vs new build" is a ratio of
 * one run, interleaved on the machine of the day. Cases that run no manifold (the anchors) are
 * not doubled; probes are doubled without a ratio.
 */
export function withBuildAgainst(cases: Case[], root: string, other: string): Case[] {
  const otherRoot = `${resolve(other)}/`;
  if (!existsSync(`${otherRoot}dist/bundle/bin/manifold.js`)) {
    throw new Error(`--against ${other}: no built manifold there (run npm install in it first)`);
  }
  const ours = `${root}dist/`;
  const label = `[${other}]`;
  const twins = cases
    .filter((item) => item.command.includes(ours))
    .map(
      (item): Case => ({
        group: item.group,
        name: `${item.name} ${label}`,
        command: item.command.replaceAll(ours, `${otherRoot}dist/`),
        ...(item.probe === undefined ? { baseline: item.name } : { probe: item.probe }),
        ...(item.bytes === undefined ? {} : { bytes: item.bytes }),
        ...(item.records === undefined ? {} : { records: item.records }),
      }),
    );
  return [...cases, ...twins];
}
