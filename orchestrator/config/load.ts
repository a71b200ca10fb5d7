import { readFileSync } from 'node:fs';
import { type Document, isAlias, LineCounter, parseDocument, visit } from 'yaml';
import { describeErrno } from '../../filters/errors.js';
import { checkDocument, MAX_DEPTH } from './document.js';
import { jsonSyntaxError } from './json-syntax.js';
import { ConfigError, columnAfter, type Problem } from './problems.js';
import { substitute } from './variables.js';
import { badMerges, nodeAt, pairOf } from './where.js';

/** A config file parsed, variables substituted, with a way back from data paths to positions. */
export interface LoadedConfig {
  file: string;
  data: unknown;
  /** The position of the value at `path` (or of the key `key` in the map at `path`). */
  where(path: (string | number)[], key?: string): { line: number; column: number };
  /** The source of the value at `path` as written (`"${W}"`), for messages. */
  written(path: (string | number)[]): string | undefined;
}

/** Aliases a config may expand, the yaml library's own bound (an alias bomb stops there). */
const MAX_ALIAS_COUNT = 100;

const FLOW_VARIABLE =
  'a ${...} within { } or [ ] needs quotes ("${W}"): YAML reads its { as the start of a map';

const TOO_DEEP = `maps and lists nest too deep to be read (a config may nest ${MAX_DEPTH} deep)`;

/**
 * Reads a YAML or JSON config (a `.json` file must be JSON; JSON is YAML too, so both keep
 * positions), substitutes
 * `${NAME}` and `${NAME:-default}` from `variables` (variables.ts), and reports every syntax error and undefined variable at once.
 */
export function loadConfig(
  file: string,
  variables: Record<string, string | undefined>,
  given?: string,
): LoadedConfig {
  // A byte-order mark, which editors write and do not show, is no column of line 1.
  const text = (given ?? readConfigText(file, file)).replace(/^\uFEFF/, '');
  // JSON is YAML too, which keeps positions; but YAML takes more than JSON does.
  const notJson = /\.json$/i.test(file) ? jsonSyntaxError(text) : null;
  if (notJson !== null) {
    const before = text.slice(0, notJson.offset).split('\n');
    const column = columnAfter(before.at(-1)!);
    throw new ConfigError(file, [{ line: before.length, column, message: notJson.message }]);
  }
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      // YAML 1.1's merge keys (`<<: *defaults`), as compose files use them.
      merge: true,
    });
  } catch (error) {
    // The parser recurses: thousands of levels of block maps run it out of stack, unplaced.
    if (!(error instanceof RangeError)) throw error;
    throw new ConfigError(file, [{ line: 1, column: 1, message: TOO_DEEP }]);
  }
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return { line, column: columnAfter(text.slice(offset - col + 1, offset)) };
  };
  const problems: Problem[] = [];
  // An unquoted `${W}` within { } or [ ]: YAML reads its { as a map, in a cascade of errors to
  // the line's end, which one line, at its $, says instead.
  const flowVariables = new Set<number>();
  for (const error of [...doc.errors, ...doc.warnings]) {
    const offset = error.pos[0];
    const { line } = at(offset);
    if (flowVariables.has(line)) continue;
    if (text.startsWith('${', offset - 1)) {
      flowVariables.add(line);
      problems.push({ ...at(offset - 1), message: FLOW_VARIABLE });
      continue;
    }
    problems.push({
      ...at(offset),
      // The yaml library's words, but where they speak to its own callers.
      message:
        error.code === 'MULTIPLE_DOCS'
          ? 'a config is one YAML document: a second begins here'
          : /Maximum call stack/.test(error.message)
            ? TOO_DEEP
            : error.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, ''),
    });
  }
  if (problems.length === 0) checkDocument(doc, text, problems, at);
  if (problems.length === 0) {
    for (const node of badMerges(doc))
      problems.push({
        ...at(node.range?.[0] ?? 0),
        message: 'a merge key (<<) takes a map, an alias of one (*name), or a list of those',
      });
  }
  // First, so that a variable given by the config's env reads `007` as written, not `7`.
  keepNumbersAsWritten(doc);
  if (problems.length === 0) substitute(doc, text, variables, problems, at);
  if (problems.length > 0) throw new ConfigError(file, problems);
  return {
    file,
    data: toData(doc, file, at),
    where(path, key) {
      const node = nodeAt(doc, path);
      if (key !== undefined) {
        const pair = pairOf(doc, isAlias(node) ? node.resolve(doc) : node, key);
        const range = (pair?.key as { range?: [number, number] } | undefined)?.range;
        if (range) return at(range[0]);
      }
      const range = (node as { range?: [number, number] } | undefined)?.range;
      if (range) return at(range[0]);
      return path.length > 0 ? this.where(path.slice(0, -1)) : { line: 1, column: 1 };
    },
    written(path) {
      const range = (nodeAt(doc, path) as { range?: [number, number] } | undefined)?.range;
      return range && text.slice(range[0], range[1]);
    },
  };
}

/**
 * A config's text, from a file or a descriptor (0: `manifold run -`), its problems named as
 * `name`. Read as UTF-8: a byte that is not UTF-8 is a problem where it stands, not U+FFFD in
 * its place (a Latin-1 `é` in a pattern would then match nothing, unsaid).
 */
export function readConfigText(source: string | number, name: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(source);
  } catch (error) {
    throw new ConfigError(name, [
      { line: 1, column: 1, message: `cannot read the config: ${describeErrno(error)}` },
    ]);
  }
  const text = bytes.toString('utf8');
  const again = Buffer.from(text, 'utf8');
  if (again.equals(bytes)) return text;
  let at = 0;
  while (at < bytes.length && bytes[at] === again[at]) at++;
  // The first difference is the first byte of the bad sequence: what comes before is good text.
  const before = bytes.subarray(0, at).toString('utf8').split('\n');
  throw new ConfigError(name, [
    {
      line: before.length,
      column: columnAfter(before.at(-1)!),
      message: `byte 0x${bytes[at]!.toString(16).padStart(2, '0')} is not UTF-8: a config is read as UTF-8 text`,
    },
  ]);
}

/**
 * A number stays as written (`007`, `1.10`, `0x10`, a long one): a command's argument or an
 * environment variable is text, and YAML's reading of it as a number lost its zeros, its form,
 * its digits past double precision. Where the schema asks for a number (`workers: 4`), it makes
 * one of the text, as it does of a variable's.
 */
function keepNumbersAsWritten(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'number' && node.type === 'PLAIN' && node.source !== undefined)
        node.value = node.source;
    },
  });
}

/** The document as plain data; an alias expanded past the bound is reported at the first alias. */
function toData(
  doc: Document,
  file: string,
  at: (offset: number) => { line: number; column: number },
): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const unset = aliasOfNoAnchor(doc);
    if (unset !== null) {
      throw new ConfigError(file, [
        {
          ...at(unset.offset),
          message: `alias *${unset.name} names no anchor: set &${unset.name} on a node above it`,
        },
      ]);
    }
    let offset = 0;
    visit(doc, {
      Alias(_key, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    throw new ConfigError(file, [
      {
        ...at(offset),
        message: `${(error as Error).message} (aliases expand to more than ${MAX_ALIAS_COUNT} nodes)`,
      },
    ]);
  }
}

/**
 * The first alias with no anchor of its name before it (YAML's aliases name nodes above them),
 * or null. It was said as an alias bomb, at the first alias of the file, whichever it was.
 */
function aliasOfNoAnchor(doc: Document): { name: string; offset: number } | null {
  const anchors = new Set<string>();
  let found: { name: string; offset: number } | null = null;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (anchors.has(node.source)) return undefined;
      found = { name: node.source, offset: node.range?.[0] ?? 0 };
      return visit.BREAK;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor !== undefined) anchors.add(anchor);
    return undefined;
  });
  return found;
}
