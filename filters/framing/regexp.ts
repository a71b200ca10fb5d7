import { UsageError } from '../errors.js';
import { countGroups, ownGroups, syntaxOffsets } from './regexp-groups.js';

/**
 * Records cut by regular expressions, as GNU parallel's `--pipe --regexp --recstart <start>
 * --recend <end>`: a record ends where `<end>` matches and `<start>` matches right after it,
 * found left to right (`start-re:<start>`, `delim-re:<end>`, `between-re:<end>|<start>`).
 */
export type RegexpFraming = { kind: 'regexp'; name: string; start: string; end: string };

/** The framing names that cut by regular expressions. */
export const REGEXP_PREFIXES = ['start-re:', 'delim-re:', 'between-re:'] as const;

/**
 * How far past a cut the finder reads before the cut is sure: a match, or what its lookarounds
 * look at, that reaches further than this from where it begins is not seen (docs/fan.md). A MiB,
 * GNU parallel's --block, the least buffer it sees a match in: far more than a read's 64 KiB, as
 * FASTA's headers and lines may be, and the bytes are still searched about twice.
 */
export const REGEXP_REACH = 1024 * 1024;

/** Whether `text` names a framing cut by regular expressions. */
export function isRegexpName(text: string): boolean {
  return REGEXP_PREFIXES.some((prefix) => text.startsWith(prefix));
}

/**
 * Parses `start-re:<re>`, `delim-re:<re>` or `between-re:<end>|<start>` (the first `|` outside
 * brackets and parentheses parts them: an alternation in either goes in a group, `(?:a|b)`).
 * Each is checked as a JavaScript RegExp; one that matches the empty string is refused. Messages
 * begin with `said`, the option and its value.
 */
export function parseRegexpFraming(text: string, said: string): RegexpFraming {
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  const given = text.slice(colon + 1);
  let end = '';
  let start = '';
  if (kind === 'start-re') start = given;
  else if (kind === 'delim-re') end = given;
  else {
    const bar = topLevelBar(given);
    if (bar < 0) {
      throw new UsageError(
        `${said}: between-re: takes <end>|<start>, a | outside brackets and parentheses between them (an alternation goes in a group: (?:a|b))`,
      );
    }
    end = given.slice(0, bar);
    start = given.slice(bar + 1);
  }
  for (const [side, source] of [
    ['end', end],
    ['start', start],
  ] as const) {
    const needed = kind === 'between-re' || (side === 'start') === (kind === 'start-re');
    if (needed && source === '') {
      throw new UsageError(`${said}: the ${side} expression is empty`);
    }
    checkPattern(source, `${said}`);
  }
  const framing: RegexpFraming = { kind: 'regexp', name: text, start, end };
  checkNotEmpty(framing, `${said}`);
  return framing;
}

/** Refuses a pattern that is no JavaScript RegExp, with its message; `said` names it. */
export function checkPattern(source: string, said: string): void {
  try {
    new RegExp(source);
  } catch (error) {
    throw new UsageError(`${said}: ${(error as Error).message}`, error);
  }
}

/** Refuses expressions that together match the empty string: records of no bytes. */
export function checkNotEmpty(framing: { start: string; end: string }, said: string): void {
  if (!compileCut({ ...framing, kind: 'regexp', name: '' }).empty.test('')) return;
  throw new UsageError(
    `${said}: matches the empty string, so it would cut records of no bytes; give an expression that matches at least a byte`,
  );
}

/**
 * The expressions a finder runs over the bytes read as latin1 (a byte a character, so offsets
 * are byte offsets): `cut` finds `<end>` followed by `<start>` (the record ends where its match
 * ends), `start` (sticky) the start expression's match where a record begins, `empty` whether
 * the two match nothing at all.
 */
export function compileCut(framing: RegexpFraming): { cut: RegExp; start: RegExp; empty: RegExp } {
  const { end, start, startAfterEnd } = regexpSources(framing);
  return {
    cut: new RegExp(`(?:${end})(?=(?:${startAfterEnd}))`, 'g'),
    start: new RegExp(`(?:${start})`, 'y'),
    empty: new RegExp(`^(?:${end})(?:${startAfterEnd})$`),
  };
}

/**
 * The two expressions as they run (`perlLines`), each alone, and the start one as it runs after
 * the end one in a single RegExp: its groups numbered after the end's, so that a backreference
 * in either still means a group of its own.
 */
export function regexpSources(framing: { start: string; end: string }): {
  end: string;
  start: string;
  startAfterEnd: string;
} {
  const end = perlLines(framing.end);
  const start = perlLines(framing.start);
  return {
    end: ownGroups(end, 0),
    start: ownGroups(start, 0),
    startAfterEnd: ownGroups(start, countGroups(end)),
  };
}

/** The offset of the first `|` of `source` outside brackets and parentheses, or -1. */
function topLevelBar(source: string): number {
  let depth = 0;
  for (const i of syntaxOffsets(source)) {
    const c = source[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return i;
  }
  return -1;
}

/** What Perl's `\s` matches in bytes: JavaScript's would match 0xA0 too. */
const SPACE = '\\t\\n\\v\\f\\r ';
const NOT_SPACE = '\\x00-\\x08\\x0e-\\x1f\\x21-\\xff';

/**
 * `source` as parallel's Perl reads it under its `/m`, for a subject of latin1 characters: `^`
 * after any LF (or at the input's start), `$` before any LF (or at the input's end), `.` any
 * byte but LF (JavaScript's would stop at CR too), `\s` the ASCII white space; the pattern's
 * own characters as their UTF-8 bytes, as a command line gives them to Perl.
 */
export function perlLines(source: string): string {
  const bytes = Buffer.from(source, 'utf8').toString('latin1');
  let out = '';
  let inClass = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === '\\') {
      const e = bytes[i + 1] ?? '';
      i++;
      if (e === 's') out += inClass ? SPACE : `[${SPACE}]`;
      else if (e === 'S') out += inClass ? NOT_SPACE : `[^${SPACE}]`;
      else out += c + e;
    } else if (inClass) {
      out += c;
      inClass = c !== ']';
    } else if (c === '[') {
      out += c;
      inClass = true;
      // A `]` or `^]` first in a class is one of its characters, in Perl.
      if (bytes[i + 1] === '^') out += bytes[++i];
      if (bytes[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (c === '.') out += '[^\\n]';
    else if (c === '^') out += '(?<![^\\n])';
    else if (c === '$') out += '(?![^\\n])';
    else out += c;
  }
  return out;
}
