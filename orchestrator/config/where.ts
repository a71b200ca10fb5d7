import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  visit,
} from 'yaml';

// From a path in a config's data back to the node it came from: through aliases, and through
// merge keys (`<<: *defaults`), where a merged key stands in the map it is written in.

/** The node of the value at `path` in `doc`, or null where none is (a default, say). */
export function nodeAt(doc: Document, path: readonly (string | number)[]): Node | null {
  let node: unknown = doc.contents;
  for (const step of path) {
    node = resolved(doc, node);
    if (isSeq(node) && typeof step === 'number') node = node.items[step];
    else if (isMap(node)) node = pairOf(doc, node, String(step))?.value;
    else return null;
    if (node == null) return null;
  }
  return node as Node;
}

/** The pair of `key` in `map`: its own, else the first merged map's that has it. */
export function pairOf(
  doc: Document,
  map: unknown,
  key: string,
  depth = 0,
): Pair<unknown, unknown> | undefined {
  if (!isMap(map) || depth > 100) return undefined;
  const own = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (own !== undefined) return own;
  for (const item of map.items) {
    if (!isPair(item) || !isScalar(item.key) || typeof item.key.value !== 'symbol') continue;
    const from = resolved(doc, item.value);
    const sources = isSeq(from) ? from.items.map((source) => resolved(doc, source)) : [from];
    for (const source of sources) {
      const found = pairOf(doc, source, key, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function resolved(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/**
 * Where a merge key's value is not a map, an alias of one, or a list of those (`<<: 3`): the
 * yaml library throws on it as the data is made, which said nothing of where.
 */
export function badMerges(doc: Document): Node[] {
  const bad: Node[] = [];
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') return;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      const wrong = sources.find((source) => !isMap(resolved(doc, source)));
      if (wrong !== undefined) bad.push((wrong ?? pair.key) as Node);
    },
  });
  return bad;
}
