import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  type Node,
  visit,
} from 'yaml';
import type { Problem } from './problems.js';

// What a config's YAML document may not hold, whatever its schema: keys that are no names or aim
// at JavaScript's objects, NULs, aliases that make it endless, nesting past any reader's stack.

type At = (offset: number) => { line: number; column: number };

/** Keys that name an object's prototype: as config keys they could only be an attack or a slip. */
const PROTOTYPE_KEYS: ReadonlySet<unknown> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * How deep a config's maps and lists may nest. A real one nests a few levels a branch; past a
 * thousand or so, the YAML library's and manifold's readers of it, which recurse, run out of stack.
 */
export const MAX_DEPTH = 100;

/** Every check of the document; the others only once it nests within MAX_DEPTH, as they recurse. */
export function checkDocument(doc: Document, text: string, problems: Problem[], at: At): void {
  if (findTooDeep(doc, problems, at)) return;
  findKeysNotNames(doc, text, problems, at);
  findPrototypeKeys(doc, problems, at);
  findNuls(doc, problems, at);
  findAliasCycles(doc, problems, at);
}

/** The first map or list deeper than MAX_DEPTH, said where it begins; walked without recursion. */
function findTooDeep(doc: Document, problems: Problem[], at: At): boolean {
  const stack: [Node, number][] = doc.contents ? [[doc.contents, 1]] : [];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth > MAX_DEPTH) {
      problems.push({
        ...at(node.range?.[0] ?? 0),
        message: `maps and lists nest more than ${MAX_DEPTH} deep here: a config may nest ${MAX_DEPTH} deep`,
      });
      return true;
    }
    for (const item of node.items as unknown[]) {
      const children = isPair(item) ? [item.key, item.value] : [item];
      for (const child of children) if (child) stack.push([child as Node, depth + 1]);
    }
  }
  return false;
}

/**
 * A key is a name: text, or a number kept as written. YAML reads `null:`, `~:` and an empty key
 * as null, which a plain object made the key "" (said as `unknown key ""`, or as an empty name);
 * `True:` as true, made "true"; a list or a map as a key, made its text. Each is said at it.
 */
function findKeysNotNames(doc: Document, text: string, problems: Problem[], at: At): void {
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key as Node | null;
      const message = key && keyNotName(doc, key, text);
      if (message) problems.push({ ...at(key!.range?.[0] ?? 0), message });
    },
  });
}

/** What is wrong with a key that is no name, or null for a name. */
function keyNotName(doc: Document, key: Node, text: string): string | null {
  const node = isAlias(key) ? key.resolve(doc) : key;
  const value = isScalar(node) ? node.value : undefined;
  if (isScalar(node) && ['string', 'number', 'symbol'].includes(typeof value)) return null;
  const [start, end] = key.range ?? [0, 0];
  const written = text.slice(start, end);
  if (written === '') return 'an empty key is not a name: write the name before its ":"';
  const read = !isScalar(node)
    ? isMap(node)
      ? 'a map'
      : 'a list'
    : value === null || typeof value === 'boolean'
      ? String(value)
      : 'bytes';
  const shown = written.includes('\n') ? null : written;
  const quote =
    isAlias(key) || shown === null || read === 'bytes'
      ? ''
      : ` (quote it, "${shown}", if it is one)`;
  return `${shown === null ? 'this key' : `key ${shown}`} is not a name: YAML reads it as ${read}${quote}`;
}

/** A key such as `__proto__` is refused wherever it stands, before it reaches a plain object. */
function findPrototypeKeys(doc: Document, problems: Problem[], at: At): void {
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && PROTOTYPE_KEYS.has(pair.key.value))
        problems.push({
          ...at(pair.key.range?.[0] ?? 0),
          message: `"${pair.key.value}" is not allowed as a key`,
        });
    },
  });
}

/**
 * An alias within the node it names (`stages: &s [..., {branches: {b: *s}}]`) would make the
 * config endless, which every reader of it would follow until its stack ran out.
 */
function findAliasCycles(doc: Document, problems: Problem[], at: At): void {
  visit(doc, {
    Alias(_key, node, path) {
      if (!path.includes(node.resolve(doc) as never)) return;
      problems.push({
        ...at(node.range?.[0] ?? 0),
        message: `alias *${node.source} stands within the node it names (&${node.source}): a config cannot hold itself`,
      });
    },
  });
}

/** Keys whose values are framings, where a NUL is a delimiter like any other. */
const FRAMING_KEYS: ReadonlySet<unknown> = new Set(['split', 'field-sep']);

/**
 * A NUL (a YAML `"\0"`) in a key or value that becomes a program's argument, a file name or an
 * environment variable, none of which can hold one: reported where it stands, not left for the
 * run to fail on. A framing's value (`split`, `field-sep`, a fan's `join`) may hold one.
 */
function findNuls(doc: Document, problems: Problem[], at: At): void {
  visit(doc, {
    Scalar(key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('\0')) return;
      if (key === 'value' && isFraming(path)) return;
      problems.push({
        ...at(node.range?.[0] ?? 0),
        message: 'a NUL (\\0) cannot reach a program, a file name or the environment',
      });
    },
  });
}

/** Whether the pair last in `path` is a framing's: `split`, `field-sep`, or a fan's `join`. */
function isFraming(path: readonly unknown[]): boolean {
  const name = (pair: unknown) =>
    isPair(pair) && isScalar(pair.key) ? (pair.key.value as unknown) : undefined;
  const own = name(path.at(-1));
  return FRAMING_KEYS.has(own) || (own === 'join' && name(path.at(-3)) === 'fan');
}
