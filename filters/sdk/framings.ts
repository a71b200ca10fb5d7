import { UsageError } from '../errors.js';
import {
  checkFixedFits,
  type Framing,
  isJsonFraming,
  parseFraming,
  sameBoundaries,
} from '../framing/spec.js';
import type { ReadCommandLine } from './cli.js';
import { knownKind } from './records.js';
import type { CommandLine, FilterSpec, RecordKind } from './types.js';

/** The command line of a filter, parsed and checked. */
export interface ParsedCommandLine {
  /** The record limit and the framings, after the flags. */
  options: Record<string, unknown>;
  args: string[];
  split: Framing;
  join: Framing;
  maxRecord: number;
  kind: RecordKind;
}

/**
 * Decides the framings and the record kind, once the tables are open (a filter's default may
 * come from a table, as mf-join's key does): `--split`, else the filter's declared framing, else
 * lines (ndjson for JSON records).
 *
 * Under the protocol, manifold adds `--split` with the framing it cuts blocks by, after the
 * filter's own arguments. The filter reads its own framing when that ends records where the
 * blocks' does (ndjson and lines both end at a newline), so it reads as it would alone
 * (`readingBlocks`); otherwise the blocks' framing, unless the user gave the filter a `--split`
 * of its own, which is then an error rather than records cut apart. Its output likewise: manifold
 * adds `--join` when it cuts the workers' output otherwise than its blocks, and the filter
 * writes its own output framing where that ends records where manifold's does.
 */
export function resolveCommandLine(
  spec: FilterSpec<RecordKind, unknown>,
  read: ReadCommandLine,
  tables: Pick<CommandLine, 'tables' | 'table'>,
): ParsedCommandLine {
  const { options, args, splits, joins, ownJoins } = read;
  const protocol = options.protocol !== undefined;
  const blocks = protocol ? splits.at(-1) : undefined;
  const given = protocol ? splits.at(-2) : splits.at(-1);
  // What the filter sees as its options: its own --split, not manifold's.
  options.split = given;
  const line: CommandLine = { options, args, ...tables, split: given };
  const declaredName = typeof spec.split === 'function' ? spec.split(line) : spec.split;
  const declared = declaredName === undefined ? undefined : parseFraming(declaredName);
  const chosen = given ?? declared;
  const kindOf = (split: Framing | undefined) =>
    knownKind(
      (typeof spec.records === 'function'
        ? spec.records(options, { ...line, split })
        : spec.records) ?? 'buffer',
    );
  const own = chosen ?? parseFraming(kindOf(undefined) === 'json' ? 'ndjson' : 'lines');
  const split = blocks === undefined ? own : readingBlocks(own, blocks, { given, declared });
  const kind = kindOf(split);
  const givenJoin = joins.slice(0, ownJoins).at(-1);
  const declaredJoin = spec.join === undefined ? undefined : toFraming(spec.join);
  const ownJoin = givenJoin ?? declaredJoin ?? split;
  // manifold cuts the output as its --join says, else as its blocks.
  const theirs = blocks === undefined ? undefined : (joins.slice(ownJoins).at(-1) ?? blocks);
  const join =
    theirs === undefined
      ? ownJoin
      : writingBlocks(ownJoin, theirs, { given: givenJoin, declared: declaredJoin });
  options.join = givenJoin ?? declaredJoin;
  const maxRecord = options.maxRecord as number;
  checkFixedFits(split, maxRecord, '--split', '--max-record');
  checkFixedFits(join, maxRecord, '--join', '--max-record');
  return { options, args, split, join, maxRecord, kind };
}

/**
 * The framing a filter under the protocol reads blocks cut by `blocks` with: its own when it
 * ends records at the same places; of two such, ndjson when manifold was given it (`--split
 * ndjson`) and the filter's own is a default, not its `--split`: JSON records are the more
 * particular. Else the blocks' framing, unless the user gave the filter a `--split`, an error,
 * or the filter declares a framing by length (frames, fixed:N), an error too: that is its input's
 * format, not a choice of delimiter, and read as the blocks' lines its records would be other
 * bytes (mf-unframe passed lines through unchanged). A declared delimiter gives way to the
 * blocks' (mf-reduce's ndjson for a json: key reads NUL-ended JSON records under --split nul),
 * as `raw` does (bytes as they come, which any records are).
 */
function readingBlocks(
  own: Framing,
  blocks: Framing,
  { given, declared }: { given: Framing | undefined; declared: Framing | undefined },
): Framing {
  if (sameBoundaries(own, blocks)) {
    return given === undefined && isJsonFraming(blocks) ? blocks : own;
  }
  const byLength = declared?.kind === 'frames' || declared?.kind === 'fixed';
  const mine = given ?? (byLength ? declared : undefined);
  // Bytes as they come are no records' ends to tie output to: not under the protocol.
  if (mine?.kind === 'raw')
    throw new UsageError(
      `--split raw cannot read manifold's blocks, which are records (${blocks.name}): leave it out, and the filter reads them`,
    );
  if (mine !== undefined) {
    const what =
      given === undefined ? `--split ${mine.name} (its default)` : `--split ${mine.name}`;
    throw new UsageError(
      `${what} ends records elsewhere than manifold's blocks (${blocks.name}): give manifold fan --split ${mine.name}`,
    );
  }
  return blocks;
}

/**
 * The framing a filter under the protocol writes its output in, where manifold cuts it by
 * `theirs`: its own when that ends records at the same places, else manifold's, unless the
 * filter's own was chosen (a `--join` given, or the filter's declared output framing, as
 * mf-unframe's lines): an error rather than records manifold would cut elsewhere.
 */
function writingBlocks(
  own: Framing,
  theirs: Framing,
  chosen: { given: Framing | undefined; declared: Framing | undefined },
): Framing {
  if (sameBoundaries(own, theirs)) return own;
  const mine = chosen.given ?? chosen.declared;
  if (mine === undefined) return theirs;
  const what =
    chosen.given === undefined ? `--join ${mine.name} (its default)` : `--join ${mine.name}`;
  throw new UsageError(
    `${what} ends records elsewhere than manifold cuts the output (${theirs.name}): give manifold fan --join ${mine.name}`,
  );
}

/** Defaults arrive as the names the filter declared; flags arrive parsed. */
function toFraming(value: Framing | string): Framing {
  return typeof value === 'string' ? parseFraming(value) : value;
}
